/** `stoke stack resource show`: a resource's detail as the openstack client's table prints it. */
import type { ResourceDetail } from '../client/resource-detail';

export { resourceDetail } from '../client/resource-detail';

/** Field and value rows; structured values as one line of JSON, as the openstack client's table prints them. */
export function detailRows(detail: ResourceDetail): string[][] {
  return Object.entries(detail).map(([field, value]) => [field, typeof value === 'string' ? value : JSON.stringify(value)]);
}
