/** What `.lab/lab.json` tells a client about a running lab. */
export interface LabInfo {
  readonly startedAt: string;
  readonly pid: number;
  readonly startupMs: number;
  readonly iotHub: {
    readonly hubName: string;
    readonly hostName: string;
    /** Loopback port of the simulated hub: route hostName here (see README). */
    readonly port: number;
    readonly connectionString: string;
    /** PEM certificate of the simulated hub, to trust for TLS. */
    readonly caCertPath: string;
    readonly tier: string;
    readonly units: number;
  };
  readonly http: {
    /** Base of the product's HTTP API, e.g. http://127.0.0.1:7071/api. */
    readonly baseUrl: string;
    /** Root of the local Functions host (admin and webhook endpoints). */
    readonly hostUrl: string;
  };
  readonly eventGrid: {
    /** Where Event Grid deliveries from outside are accepted (Notification / SubscriptionValidation). */
    readonly webhookUrl: string;
  };
  readonly storage: {
    readonly connectionString: string;
    readonly tableEndpoint: string;
  };
  /** The security audit stream: an Event Hub a SIEM-like consumer can read with @azure/event-hubs. */
  readonly auditStream: {
    readonly connectionString: string;
    readonly eventHubName: string;
  };
  readonly functions: readonly string[];
}
