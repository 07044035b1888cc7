/**
 * What each intrinsic function does, in a line, for the API's `/template_versions/{v}/functions` (Heat gives the
 * first line of each function's docstring). Which version allows which function is versions.ts's table.
 */

/** Functions a version allows but stoke refuses when a template calls them (see functions.ts). */
export const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set(['yaql', 'resource_facade', 'Fn::ResourceFacade']);

export const FUNCTION_DESCRIPTIONS: Readonly<Record<string, string>> = {
  get_param: 'A function for resolving parameter references.',
  get_resource: 'A function for resolving resource references.',
  get_attr: 'A function for resolving resource attributes.',
  get_file: 'A function for including a file inline.',
  list_join: 'A function for joining lists of strings.',
  str_replace: 'A function for performing string substitutions.',
  str_replace_strict: 'A function for performing string substitutions; a key absent from the template is an error.',
  str_replace_vstrict: 'A function for performing string substitutions; an absent key or an empty value is an error.',
  str_split: 'A function for splitting delimited strings into a list.',
  digest: 'A function for performing digest operations.',
  repeat: 'A function for iterating over a list of items.',
  map_merge: 'A function for merging maps.',
  map_replace: 'A function for performing substitutions on maps.',
  list_concat: 'A function for extending lists.',
  list_concat_unique: 'A function for extending lists with unique items.',
  filter: 'A function for filtering out values from lists.',
  make_url: 'A function for building URLs.',
  contains: 'A function for checking whether specific value is in sequence.',
  if: 'A function to return corresponding value based on condition evaluation.',
  equals: 'A function for comparing whether two values are equal.',
  not: 'A function that acts as a NOT operator on a condition.',
  and: 'A function that acts as an AND operator on conditions.',
  or: 'A function that acts as an OR operator on conditions.',
  yaql: 'A function for executing a yaql expression.',
  resource_facade: 'A function for retrieving data in a parent provider template.',
  'Ref': 'A function for resolving parameters or resource references.',
  'Fn::GetAtt': 'A function for resolving resource attributes.',
  'Fn::GetAZs': 'A function for retrieving the availability zones.',
  'Fn::Select': 'A function for selecting an item from a list or map.',
  'Fn::Join': 'A function for joining strings.',
  'Fn::Split': 'A function for splitting strings.',
  'Fn::Replace': 'A function for performing string substitutions.',
  'Fn::Base64': 'A placeholder function for converting to base64.',
  'Fn::MemberListToMap': 'A function to convert lists with enumerated keys and values to mapping.',
  'Fn::ResourceFacade': 'A function for retrieving data in a parent provider template.',
  'Fn::FindInMap': 'A function for resolving keys in the template mappings.',
  'Fn::If': 'A function to return corresponding value based on condition evaluation.',
  'Fn::Equals': 'A function for comparing whether two values are equal.',
  'Fn::Not': 'A function that acts as a NOT operator on a condition.',
  'Fn::And': 'A function that acts as an AND operator on conditions.',
  'Fn::Or': 'A function that acts as an OR operator on conditions.',
};
