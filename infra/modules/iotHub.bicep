// The IoT Hub, or an existing one (existingIotHubName). A new hub gets the routes the app needs:
// TwinChangeEvents of the security modules to the twin-change Event Hub (sent with the hub's user-assigned
// identity: the namespace takes no keys), and DeviceMessages to the built-in `events` endpoint, because adding
// any route stops the default one and telemetry would stop flowing. An existing hub keeps its routing: add
// both routes to it as the README's "Deploying" section says.
param location string
param tags object
@description('Name of the hub to create; ignored when existingIotHubName is set.')
param iotHubName string
@description('Name of an existing hub in this resource group to wire the app to instead of creating one.')
param existingIotHubName string
@allowed(['S1', 'S2', 'S3'])
param sku string
@minValue(1)
@maxValue(200)
param units int
param identityId string
param twinChangeEventHubEndpoint string
param twinChangeEventHubName string
@description('Module ID of the security agent whose twin changes are routed (azureiotsecurity or DefenderIotMicroAgent).')
param securityModuleId string

var createHub = empty(existingIotHubName)
var twinChangeEndpointName = 'security-twin-changes'

resource created 'Microsoft.Devices/IotHubs@2023-06-30' = if (createHub) {
  name: iotHubName
  location: location
  tags: tags
  sku: {
    name: sku
    capacity: units
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    // Service-level shared access policies off: the app and operators use Entra ID roles. Devices and
    // modules keep their own keys or certificates.
    disableLocalAuth: true
    eventHubEndpoints: {
      events: {
        retentionTimeInDays: 1
        partitionCount: 4
      }
    }
    routing: {
      endpoints: {
        eventHubs: [
          {
            name: twinChangeEndpointName
            authenticationType: 'identityBased'
            identity: {
              userAssignedIdentity: identityId
            }
            endpointUri: twinChangeEventHubEndpoint
            entityPath: twinChangeEventHubName
          }
        ]
      }
      routes: [
        {
          name: 'SecurityModuleTwinChanges'
          source: 'TwinChangeEvents'
          condition: 'moduleId = \'${securityModuleId}\''
          endpointNames: [twinChangeEndpointName]
          isEnabled: true
        }
        {
          // Keeps device telemetry on the built-in endpoint: with any route defined, messages that match
          // no route are dropped.
          name: 'DeviceMessagesToBuiltIn'
          source: 'DeviceMessages'
          condition: 'true'
          endpointNames: ['events']
          isEnabled: true
        }
      ]
      fallbackRoute: {
        name: '$fallback'
        source: 'DeviceMessages'
        condition: 'true'
        endpointNames: ['events']
        isEnabled: true
      }
    }
  }
}

resource existingHub 'Microsoft.Devices/IotHubs@2023-06-30' existing = if (!createHub) {
  name: existingIotHubName
}

output name string = createHub ? created.name : existingHub.name
output hostName string = createHub ? created!.properties.hostName : existingHub!.properties.hostName
output skuName string = createHub ? created!.sku.name : existingHub!.sku.name
output units int = createHub ? created!.sku.capacity : existingHub!.sku.capacity
