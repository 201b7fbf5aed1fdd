// The Function App on Flex Consumption (FC1, Node 22) with the app's user-assigned identity. Every
// connection is identity-based: no connection string, key or SAS in any setting. The deployment package is
// read from the storage container with the same identity.
param location string
param tags object
param planName string
param functionAppName string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param applicationInsightsConnectionString string
param iotHubHostName string
param iotHubTier string
param iotHubUnits string
param securityAgentProfile string
param eventHubsNamespace string
param twinChangeEventHubName string
param twinChangeConsumerGroup string
param auditEventHubName string
param sweepSchedule string
param durableTaskHubName string
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int
@allowed([512, 2048, 4096])
param instanceMemoryMB int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  // azd finds the app it deploys service `api` to by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        // The Functions host: storage (leases, timers, checkpoints) through the identity.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        // Telemetry: the connection string names the resource (not a secret); writing needs Entra ID.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        // The app (src/config/settingDefinitions.ts): the hub, the product tables and the audit stream
        // through the managed identity.
        { name: 'IOTHUB_CREDENTIAL', value: 'managedIdentity' }
        { name: 'IOTHUB_HOST_NAME', value: iotHubHostName }
        { name: 'IOTHUB_TIER', value: iotHubTier }
        { name: 'IOTHUB_UNITS', value: iotHubUnits }
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'PRODUCT_STORAGE_ACCOUNT_NAME', value: storageAccountName }
        { name: 'SECURITY_AGENT_PROFILE', value: securityAgentProfile }
        { name: 'AUDIT_EVENT_HUB_NAMESPACE', value: eventHubsNamespace }
        { name: 'AUDIT_EVENT_HUB_NAME', value: auditEventHubName }
        // Trigger bindings: onTwinChanged (Event Hubs, identity-based connection) and sweepFleet (timer).
        { name: 'TwinChangeEventHub__fullyQualifiedNamespace', value: eventHubsNamespace }
        { name: 'TwinChangeEventHub__credential', value: 'managedidentity' }
        { name: 'TwinChangeEventHub__clientId', value: identityClientId }
        { name: 'TWIN_CHANGE_EVENT_HUB_NAME', value: twinChangeEventHubName }
        { name: 'TWIN_CHANGE_CONSUMER_GROUP', value: twinChangeConsumerGroup }
        { name: 'SWEEP_SCHEDULE', value: sweepSchedule }
        { name: 'DURABLE_TASK_HUB_NAME', value: durableTaskHubName }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// No FTP or SCM basic-auth publishing: azd deploys with Entra ID.
resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
