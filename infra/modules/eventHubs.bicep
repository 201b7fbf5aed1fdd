// The Event Hubs namespace (Entra ID only: local SAS auth disabled) with the twin-change hub IoT Hub routes
// TwinChangeEvents to, the app's consumer group on it, and the security audit stream's hub.
param location string
param tags object
param namespaceName string
param twinChangeEventHubName string
param twinChangeConsumerGroupName string
param auditEventHubName string
@description('Days events stay on the hubs (Standard: 1 to 7).')
param retentionDays int

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource twinChanges 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: twinChangeEventHubName
  properties: {
    partitionCount: 4
    messageRetentionInDays: retentionDays
  }
}

resource appConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: twinChanges
  name: twinChangeConsumerGroupName
  properties: {
    userMetadata: 'Security Module Twins: the onTwinChanged trigger'
  }
}

resource audit 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: auditEventHubName
  properties: {
    partitionCount: 4
    messageRetentionInDays: retentionDays
  }
}

output namespaceName string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output serviceBusEndpoint string = namespace.properties.serviceBusEndpoint
output twinChangeEventHubName string = twinChanges.name
output twinChangeConsumerGroupName string = appConsumerGroup.name
output auditEventHubName string = audit.name
