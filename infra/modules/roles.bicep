// Every role assignment of the deployment, least privilege, each scoped to the one resource it is for.
// Deployed twice (`phase`): 'routing' before the IoT Hub exists (its route to the twin-change hub is checked
// when the hub is created, so the hub's identity must already be allowed to send), 'app' once everything
// else exists. Built-in role IDs: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
@allowed(['routing', 'app'])
param phase string
param appIdentityName string
param iotHubIdentityName string
param eventGridIdentityName string
param iotHubName string
param eventHubsNamespaceName string
param twinChangeEventHubName string
param auditEventHubName string
param storageAccountName string
param deadLetterContainerName string
param applicationInsightsName string

var roles = {
  iotHubRegistryContributor: '4ea46cd5-c1b2-4a8e-910b-273211f9ce47'
  iotHubTwinContributor: '494bdba2-168f-4f31-a0a1-191d2f7c028c'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
var app = phase == 'app'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource iotHubIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: iotHubIdentityName
}

resource eventGridIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: eventGridIdentityName
}

resource iotHub 'Microsoft.Devices/IotHubs@2023-06-30' existing = {
  name: iotHubName
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource twinChanges 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: namespace
  name: twinChangeEventHubName
}

resource audit 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: namespace
  name: auditEventHubName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource deadLetters 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobs
  name: deadLetterContainerName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// IoT Hub → twin-change Event Hub: the hub's identity sends the routed TwinChangeEvents (the namespace has
// local auth disabled). Sender only, and only on that hub.
resource hubSendsTwinChanges 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (phase == 'routing') {
  name: guid(twinChanges.id, iotHubIdentity.id, roles.eventHubsDataSender)
  scope: twinChanges
  properties: {
    principalId: iotHubIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
  }
}

// App → IoT Hub: creates the security module identity of each new device (PUT module; reads device
// identities to skip Edge devices). Registry Contributor is the narrowest built-in role with module writes.
resource appRegistry 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(iotHub.id, appIdentity.id, roles.iotHubRegistryContributor)
  scope: iotHub
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.iotHubRegistryContributor)
  }
}

// App → IoT Hub: reads device and module twins, queries them (sweep, compliance) and patches the module
// twins' tags and desired properties (provisioning, enforcement).
resource appTwins 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(iotHub.id, appIdentity.id, roles.iotHubTwinContributor)
  scope: iotHub
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.iotHubTwinContributor)
  }
}

// App → twin-change Event Hub: the onTwinChanged trigger receives the routed notifications. Receive only,
// only on that hub.
resource appReceivesTwinChanges 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(twinChanges.id, appIdentity.id, roles.eventHubsDataReceiver)
  scope: twinChanges
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
  }
}

// App → audit Event Hub: publishes the security audit stream. Send only, only on that hub.
resource appSendsAudit 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(audit.id, appIdentity.id, roles.eventHubsDataSender)
  scope: audit
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
  }
}

// App → storage blobs: the Functions host keeps its leases, timer schedules, Event Hubs checkpoints and keys
// in blobs (Blob Data Owner is what identity-based AzureWebJobsStorage asks for), and Flex Consumption reads
// the deployment package with this identity.
resource appBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(storage.id, appIdentity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

// App → storage queues: the host's internal queues and the durable task hub's work-item queues.
resource appQueues 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(storage.id, appIdentity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

// App → storage tables: the product tables (audit with its outbox, baselines, sweep state) and the durable
// task hub's history.
resource appTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(storage.id, appIdentity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

// App → Application Insights: writes telemetry with Entra ID (the component has local auth disabled).
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(appInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// Event Grid → dead-letter container: writes the DeviceCreated events it could not deliver. Blob Data
// Contributor on that one container, not the account.
resource eventGridDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (app) {
  name: guid(deadLetters.id, eventGridIdentity.id, roles.storageBlobDataContributor)
  scope: deadLetters
  properties: {
    principalId: eventGridIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}
