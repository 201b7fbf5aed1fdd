// The Event Grid system topic on the hub and the DeviceCreated subscription that feeds onDeviceCreated: a
// WebHook to the function's HTTP route with a function key (the function is an HTTP trigger, so an
// AzureFunction endpoint type does not apply). Retries and dead-lettering are explicit; dead letters go to
// a blob container, written with Event Grid's own user-assigned identity (the account takes no keys).
param location string
param tags object
param systemTopicName string
param iotHubName string
param identityId string
param functionAppName string
param storageAccountId string
param deadLetterContainerName string
@description('Create the subscription: only once the app is deployed, because Event Grid validates the webhook (handshake) when the subscription is created.')
param createSubscription bool
@description('Log Analytics workspace that receives the topic\'s metrics (dead-lettered and failed deliveries) and delivery-failure logs.')
param logAnalyticsWorkspaceId string

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' existing = {
  name: iotHubName
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    source: hub.id
    topicType: 'Microsoft.Devices.IoTHubs'
  }
}

resource deviceCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (createSubscription) {
  parent: topic
  name: 'device-created-to-functions'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${site.properties.defaultHostName}/api/eventgrid/device-created?code=${listKeys('${site.id}/host/default', site.apiVersion).functionKeys.default}'
        maxEventsPerBatch: 10
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Devices.DeviceCreated']
    }
    eventDeliverySchema: 'EventGridSchema'
    // The app answers within EVENT_GRID_DEADLINE_MS and asks for a re-send (5xx) when throttled: a day of
    // retries covers a long hub throttle; what still fails is dead-lettered, never dropped.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: identityId
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

// Dead-lettered and failed deliveries, queryable in Log Analytics (AzureMetrics, AegDeliveryFailureLogs).
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: topic
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'DeliveryFailures'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output systemTopicName string = topic.name
