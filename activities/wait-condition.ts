import { handleToken, signalEndpoint } from '../src/gateway/signal';
import type { CreatedResource, CreateResourceRequest } from './types';

/** How a worker issues handle credentials: the gateway's key and its base URL as servers reach it. */
export interface SignalIssuer {
  readonly key: Buffer;
  readonly baseUrl: () => Promise<string>;
}

/**
 * A handle's URL or endpoint and token. Derived, not drawn, so a retried activity returns the same
 * credentials as the attempt that may already have handed them out.
 */
export async function createWaitHandle(req: CreateResourceRequest, issuer: SignalIssuer): Promise<CreatedResource> {
  const endpoint = signalEndpoint(await issuer.baseUrl(), req.stack, req.stackId, req.resource);
  const token = handleToken(issuer.key, req.stack, req.stackId, req.resource);
  const physicalId = `${req.stack}-${req.resource}`;
  if (req.type === 'AWS::CloudFormation::WaitConditionHandle') {
    return { physicalId, refId: `${endpoint}?Signature=${token}`, attributes: {} };
  }
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
