import { handleToken, signalEndpoint } from '../../gateway/signal';
import type { CreatedResource, CreateResourceRequest, SignalIssuer } from '../plugin';

/**
 * A handle's URL or endpoint and token. Derived, not drawn, so a retried activity returns the same
 * credentials as the attempt that may already have handed them out. A copy an update made has its own,
 * and its own physical id, so the conditions on it wait again and the old copy's signals do not count.
 */
async function credentials(req: CreateResourceRequest, issuer: SignalIssuer) {
  const endpoint = signalEndpoint(await issuer.baseUrl(), req.stack, req.stackId, req.resource, req.copy);
  const physicalId = `${req.stack}-${req.resource}${req.copy ? `-${req.copy}` : ''}`;
  return { physicalId, endpoint, token: handleToken(issuer.key, req.stack, req.stackId, req.resource, req.copy) };
}

/** AWS::CloudFormation::WaitConditionHandle: its Ref is the URL, the token in its signature. */
export async function createCfnHandle(req: CreateResourceRequest, issuer: SignalIssuer): Promise<CreatedResource> {
  const { physicalId, endpoint, token } = await credentials(req, issuer);
  return { physicalId, refId: `${endpoint}?Signature=${token}`, attributes: {} };
}

export async function createHeatHandle(req: CreateResourceRequest, issuer: SignalIssuer): Promise<CreatedResource> {
  const { physicalId, endpoint, token } = await credentials(req, issuer);
  if (req.properties.signal_transport === 'NO_SIGNAL') return { physicalId, attributes: { token: null, endpoint: null, curl_cli: null, signal: null } };
  return {
    physicalId,
    attributes: {
      token,
      endpoint,
      curl_cli: `curl -i -X POST -H 'X-Auth-Token: ${token}' -H 'Content-Type: application/json' -H 'Accept: application/json' ${endpoint}`,
      signal: JSON.stringify({ endpoint, token }),
    },
  };
}
