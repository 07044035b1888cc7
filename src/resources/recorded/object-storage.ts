/**
 * Object storage, recorded only: stoke has no object store for servers to reach, so a container or bucket holds
 * nothing and its URLs are empty (Heat's schemas, as Swift and S3 give them).
 */
import { recorded } from './type';

export const swiftContainer = recorded({
  name: 'OS::Swift::Container',
  description: 'A Swift container: recorded only, stoke has no object store (its URLs are empty).',
  properties: {
    name: { type: 'string', description: 'Name for the container. If not specified, a unique name will be generated.' },
    'X-Container-Read': { type: 'string', description: 'Specify the ACL permissions on who can read objects in the container.' },
    'X-Container-Write': { type: 'string', description: 'Specify the ACL permissions on who can write objects to the container.' },
    'X-Container-Meta': { type: 'map', default: {}, description: 'A map of user-defined meta data to associate with the container. Each key in the map will set the header X-Container-Meta-{key} with the corresponding value.' },
    'X-Account-Meta': { type: 'map', default: {}, description: 'A map of user-defined meta data to associate with the account. Each key in the map will set the header X-Account-Meta-{key} with the corresponding value.' },
    PurgeOnDelete: { type: 'boolean', default: false, since: '2015.1', description: 'If True, delete any objects in the container when the container is deleted. Otherwise, deleting a non-empty container will result in an error.' },
  },
  values: () => ({ DomainName: '', WebsiteURL: '', RootURL: '', ObjectCount: 0, BytesUsed: 0, HeadContainer: {} }),
  attributes: {
    DomainName: { description: 'The host from the container URL.', type: 'string' },
    WebsiteURL: { description: 'The URL of the container.', type: 'string' },
    RootURL: { description: 'The parent URL of the container.', type: 'string' },
    ObjectCount: { description: 'The number of objects stored in the container.', type: 'integer' },
    BytesUsed: { description: 'The number of bytes stored in the container.', type: 'integer' },
    HeadContainer: { description: 'A map containing all headers for the container.', type: 'map' },
  },
});

export const s3Bucket = recorded({
  name: 'AWS::S3::Bucket',
  description: 'An S3 bucket: recorded only, stoke has no object store (its URLs are empty).',
  properties: {
    AccessControl: { type: 'string', allowedValues: ['Private', 'PublicRead', 'PublicReadWrite', 'AuthenticatedRead', 'BucketOwnerRead', 'BucketOwnerFullControl'], description: 'A predefined access control list (ACL) that grants permissions on the bucket.' },
    WebsiteConfiguration: {
      type: 'map', description: 'Information used to configure the bucket as a static website.',
      keys: {
        IndexDocument: { type: 'string', description: 'The name of the index document.' },
        ErrorDocument: { type: 'string', description: 'The name of the error document.' },
      },
    },
    Tags: {
      type: 'list', description: 'Tags to attach to the bucket.',
      items: {
        type: 'map', description: '',
        keys: {
          Key: { type: 'string', required: true, description: 'The tag key name.' },
          Value: { type: 'string', required: true, description: 'The tag value.' },
        },
      },
    },
  },
  values: () => ({ DomainName: '', WebsiteURL: '' }),
  attributes: {
    DomainName: { description: 'The DNS name of the specified bucket.', type: 'string' },
    WebsiteURL: { description: 'The website endpoint for the specified bucket.', type: 'string' },
  },
});

export const OBJECT_STORAGE_TYPES = [swiftContainer, s3Bucket];
