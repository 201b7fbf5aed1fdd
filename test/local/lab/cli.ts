// `npm start`: runs the lab until Ctrl-C. Loads the functions-core stand-in first, exactly as the Node
// worker injects @azure/functions-core before the app's modules run.
import '../functionsHost/installFunctionsCore';
import { consoleHostLogger } from '../functionsHost';
import { labUsage, parseLabArguments } from './labArguments';
import { startLab } from './startLab';

async function main(): Promise<void> {
  let options;
  try {
    options = parseLabArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${labUsage}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(labUsage);
    return;
  }

  const lab = await startLab({ ...options, logger: consoleHostLogger('information') });
  const { info } = lab;
  console.log(`
Security Module Twins lab is running (started in ${info.startupMs} ms)

  Functions host     ${info.http.hostUrl}   functions: ${info.functions.join(', ')}
  HTTP API           ${info.http.baseUrl}/baselines/default, ${info.http.baseUrl}/devices/{deviceId}/audit
  Event Grid webhook ${info.eventGrid.webhookUrl}
  IoT Hub simulator  ${info.iotHub.hostName} on 127.0.0.1:${info.iotHub.port} (tier ${info.iotHub.tier} x${info.iotHub.units}), certificate ${info.iotHub.caCertPath}
  Azurite tables     ${info.storage.tableEndpoint}
  Seeded devices     ${options.devices ?? 0}

  Connection details for clients: ${options.stateDir ?? '.lab'}/lab.json. Press Ctrl-C to stop.
`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the lab...`);
    lab.stop().then(
      () => {
        console.log('Lab stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Lab did not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('The lab could not start:', error);
  process.exit(1);
});
