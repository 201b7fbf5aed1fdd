// The user-assigned identities: the app's (every data-plane call the app and its host make), the IoT Hub's
// (routing to the twin-change Event Hub without a key) and Event Grid's (dead-lettering to storage without a
// key). Created first, so their roles exist before the resources that use them are created.
param location string
param tags object
param appIdentityName string
param iotHubIdentityName string
param eventGridIdentityName string

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: appIdentityName
  location: location
  tags: tags
}

resource iotHub 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: iotHubIdentityName
  location: location
  tags: tags
}

resource eventGrid 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: eventGridIdentityName
  location: location
  tags: tags
}

output appIdentityId string = app.id
output appPrincipalId string = app.properties.principalId
output appClientId string = app.properties.clientId
output iotHubIdentityId string = iotHub.id
output iotHubPrincipalId string = iotHub.properties.principalId
output eventGridIdentityId string = eventGrid.id
output eventGridPrincipalId string = eventGrid.properties.principalId
