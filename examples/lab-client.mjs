// A program of your own using the lab (`npm start`) as it would use a real IoT Hub: it reads how to reach
// the lab from lab.json, registers a device with the real azure-iothub SDK, and waits until the app has
// given the device its security module twin (DeviceCreated → Event Grid → the app → the hub).
//
//   node examples/lab-client.mjs [path/to/lab.json]     default: $LAB_JSON, else .lab/lab.json
//
// A test runs this file against a lab (test/e2e/labExample.e2e.test.ts), so what the README shows works.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect, rootCertificates } from 'node:tls';
import iothub from 'azure-iothub';

const labJsonPath = process.argv[2] ?? process.env.LAB_JSON ?? '.lab/lab.json';
let lab;
try {
  lab = JSON.parse(readFileSync(labJsonPath, 'utf8'));
} catch (error) {
  console.error(`Cannot read ${labJsonPath} (${error.code ?? error.message}): start the lab with npm start, or pass the path of its lab.json.`);
  process.exit(1);
}
const { iotHub } = lab;

// The simulated hub has a real-looking host name and its own certificate: connections for that name go to
// the lab's loopback port, and TLS still checks the name, trusting the lab's certificate besides the public roots.
const ca = [...rootCertificates, readFileSync(iotHub.caCertPath, 'utf8')];
const agent = new Agent({ keepAlive: true });
agent.createConnection = (options, callback) =>
  connect({ host: '127.0.0.1', port: iotHub.port, servername: iotHub.hostName, ca }, callback);
const registry = iothub.Registry.fromConnectionString(iotHub.connectionString);
registry._restApiClient.setOptions({ http: { agent } }); // azure-iothub has no public option for its HTTP agent

const deviceId = `sensor-${Date.now().toString(36)}`;
await registry.create({ deviceId });
console.log(`Registered ${deviceId}; waiting for its security module twin...`);

// On a throttled tier the app may need a while (and Event Grid a re-delivery): ask every half second, for up to a minute.
let twin;
for (let attempt = 0; attempt < 120 && twin?.tags?.securityBaseline === undefined; attempt++) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  twin = await registry.getModuleTwin(deviceId, 'azureiotsecurity').then(
    ({ responseBody }) => responseBody,
    () => undefined, // 404 until the app has created the module
  );
}
agent.destroy();

if (twin?.tags?.securityBaseline === undefined) {
  console.error(`${deviceId} has no security module twin after a minute: is the app running (npm start), and does DEVICE_ID_PATTERN select it?`);
  process.exit(1);
}
const settings = Object.keys(twin.properties.desired).filter((key) => !key.startsWith('$'));
console.log(`${deviceId} is secured:`, { securityBaseline: twin.tags.securityBaseline, desiredSettings: settings });
