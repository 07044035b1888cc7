/** `stoke stack resource show`: a resource's detail, printed as the openstack client prints it by ./format. */
export { resourceDetail } from '../client/resource-detail';
