// Security Module Twins on Azure: `azd up` provisions this (subscription scope: it creates the resource
// group) and deploys the app to the Function App. Local modules only; compiles offline.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region of every resource.')
param location string

@description('Resource group to deploy to; defaults to rg-<environmentName>. Give the existing hub\'s resource group to use existingIotHubName.')
param resourceGroupName string = ''

@description('Name of an existing IoT Hub (S tier) in that resource group to wire the app to; empty creates a new hub with the routes.')
param existingIotHubName string = ''

@allowed(['S1', 'S2', 'S3'])
@description('Tier of the new hub (basic tiers have no twins).')
param iotHubSku string = 'S1'

@minValue(1)
@maxValue(200)
@description('Units of the new hub.')
param iotHubUnits int = 1

@allowed(['asc-classic', 'defender-micro-agent'])
@description('Security agent the fleet runs (SECURITY_AGENT_PROFILE): decides the module ID the twin-change route selects.')
param securityAgentProfile string = 'asc-classic'

@description('NCRONTAB schedule of the sweepFleet timer (SWEEP_SCHEDULE).')
param sweepSchedule string = '0 */5 * * * *'

@description('Create the Event Grid DeviceCreated subscription. Event Grid validates the webhook when the subscription is created, so the app must be deployed first: azure.yaml\'s postdeploy hook turns this on and provisions again.')
param deviceCreatedSubscriptionEnabled bool = false

@minValue(40)
@maxValue(1000)
@description('Most instances Flex Consumption scales the app to.')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
@description('Memory of each instance, MB.')
param instanceMemoryMB int = 2048

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var securityModuleId = securityAgentProfile == 'asc-classic' ? 'azureiotsecurity' : 'DefenderIotMicroAgent'
var names = {
  appIdentity: 'id-smt-app-${token}'
  iotHubIdentity: 'id-smt-iothub-${token}'
  eventGridIdentity: 'id-smt-eventgrid-${token}'
  storage: 'stsmt${token}'
  eventHubs: 'evhns-smt-${token}'
  logAnalytics: 'log-smt-${token}'
  applicationInsights: 'appi-smt-${token}'
  iotHub: 'iot-smt-${token}'
  plan: 'plan-smt-${token}'
  functionApp: 'func-smt-${token}'
  systemTopic: 'evgt-smt-${token}'
}
var deploymentContainerName = 'app-package-${take(token, 8)}'
var deadLetterContainerName = 'eventgrid-deadletter'
var twinChangeEventHubName = 'twin-changes'
var twinChangeConsumerGroupName = 'security-module-twins'
var auditEventHubName = 'security-audit'
var iotHubName = empty(existingIotHubName) ? names.iotHub : existingIotHubName

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identities 'modules/identities.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    appIdentityName: names.appIdentity
    iotHubIdentityName: names.iotHubIdentity
    eventGridIdentityName: names.eventGridIdentity
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    storageAccountName: names.storage
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
  }
}

module eventHubs 'modules/eventHubs.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    namespaceName: names.eventHubs
    twinChangeEventHubName: twinChangeEventHubName
    twinChangeConsumerGroupName: twinChangeConsumerGroupName
    auditEventHubName: auditEventHubName
    retentionDays: 1
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
  }
}

// The hub's identity may send to the twin-change hub before the hub (and its route) is created.
module routingRoles 'modules/roles.bicep' = {
  scope: rg
  dependsOn: [identities, eventHubs]
  params: {
    phase: 'routing'
    appIdentityName: names.appIdentity
    iotHubIdentityName: names.iotHubIdentity
    eventGridIdentityName: names.eventGridIdentity
    iotHubName: iotHubName
    eventHubsNamespaceName: names.eventHubs
    twinChangeEventHubName: twinChangeEventHubName
    auditEventHubName: auditEventHubName
    storageAccountName: names.storage
    deadLetterContainerName: deadLetterContainerName
    applicationInsightsName: names.applicationInsights
  }
}

module iotHub 'modules/iotHub.bicep' = {
  scope: rg
  dependsOn: [routingRoles]
  params: {
    location: location
    tags: tags
    iotHubName: names.iotHub
    existingIotHubName: existingIotHubName
    sku: iotHubSku
    units: iotHubUnits
    identityId: identities.outputs.iotHubIdentityId
    twinChangeEventHubEndpoint: eventHubs.outputs.serviceBusEndpoint
    twinChangeEventHubName: eventHubs.outputs.twinChangeEventHubName
    securityModuleId: securityModuleId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    planName: names.plan
    functionAppName: names.functionApp
    identityId: identities.outputs.appIdentityId
    identityClientId: identities.outputs.appClientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${storage.outputs.deploymentContainerName}'
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    iotHubHostName: iotHub.outputs.hostName
    iotHubTier: iotHub.outputs.skuName
    iotHubUnits: string(iotHub.outputs.units)
    securityAgentProfile: securityAgentProfile
    eventHubsNamespace: eventHubs.outputs.fullyQualifiedNamespace
    twinChangeEventHubName: eventHubs.outputs.twinChangeEventHubName
    twinChangeConsumerGroup: eventHubs.outputs.twinChangeConsumerGroupName
    auditEventHubName: eventHubs.outputs.auditEventHubName
    sweepSchedule: sweepSchedule
    durableTaskHubName: 'securitymoduletwins'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module appRoles 'modules/roles.bicep' = {
  scope: rg
  dependsOn: [identities, storage, eventHubs, monitoring, iotHub]
  params: {
    phase: 'app'
    appIdentityName: names.appIdentity
    iotHubIdentityName: names.iotHubIdentity
    eventGridIdentityName: names.eventGridIdentity
    iotHubName: iotHubName
    eventHubsNamespaceName: names.eventHubs
    twinChangeEventHubName: twinChangeEventHubName
    auditEventHubName: auditEventHubName
    storageAccountName: names.storage
    deadLetterContainerName: deadLetterContainerName
    applicationInsightsName: names.applicationInsights
  }
}

module eventGrid 'modules/eventGrid.bicep' = {
  scope: rg
  dependsOn: [appRoles, functionApp]
  params: {
    location: location
    tags: tags
    systemTopicName: names.systemTopic
    iotHubName: iotHubName
    identityId: identities.outputs.eventGridIdentityId
    functionAppName: names.functionApp
    storageAccountId: storage.outputs.id
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    createSubscription: deviceCreatedSubscriptionEnabled
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOST_NAME string = functionApp.outputs.defaultHostName
output AZURE_IOTHUB_NAME string = iotHub.outputs.name
output AZURE_IOTHUB_HOST_NAME string = iotHub.outputs.hostName
output AZURE_EVENTGRID_SYSTEM_TOPIC string = eventGrid.outputs.systemTopicName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
