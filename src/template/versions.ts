/**
 * Template versions and the intrinsic functions each allows, as Heat's heat/engine/hot/template.py
 * and heat/engine/cfn/template.py define them. Pure data; the workflow sandbox imports it.
 */
import type { TemplateFormat } from './types';

export interface TemplateVersion {
  readonly format: TemplateFormat;
  /** The dated version, e.g. `2016-10-14` (release names map to their date). */
  readonly date: string;
  /** Functions usable in resources and outputs. */
  readonly functions: ReadonlySet<string>;
  /** Functions usable in the conditions section, in `condition:` and as the first argument of `if`. */
  readonly conditionFunctions: ReadonlySet<string>;
  /** Whether the template may have a conditions section (and `condition` on resources and outputs). */
  readonly conditions: boolean;
}

const CFN_IN_HOT_2013 = ['Fn::GetAZs', 'Ref', 'Fn::Select', 'Fn::Join', 'Fn::Split', 'Fn::Replace', 'Fn::Base64', 'Fn::MemberListToMap', 'Fn::ResourceFacade'];

/** Each dated HOT version with the functions it adds ('+') or removes ('-') relative to the one before. */
const HOT_CHANGES: readonly (readonly [string, readonly string[], readonly string[], readonly string[]])[] = [
  // [date, functions added, functions removed, condition functions added]
  ['2013-05-23', ['get_param', 'get_resource', 'get_attr', 'list_join', 'str_replace', 'resource_facade', 'get_file', ...CFN_IN_HOT_2013], [], []],
  ['2014-10-16', [], CFN_IN_HOT_2013.filter((fn) => fn !== 'Fn::Select'), []],
  ['2015-04-30', ['digest', 'repeat'], [], []],
  ['2015-10-15', ['str_split'], ['Fn::Select'], []],
  ['2016-04-08', ['map_merge'], [], []],
  ['2016-10-14', ['yaql', 'map_replace', 'if'], [], ['get_param', 'equals', 'not', 'and', 'or']],
  ['2017-02-24', ['filter', 'str_replace_strict'], [], []],
  ['2017-09-01', ['make_url', 'list_concat', 'str_replace_vstrict', 'list_concat_unique', 'contains'], [], ['yaql', 'contains']],
  ['2018-03-02', [], [], []],
  ['2018-08-31', [], [], []],
];

/** Release names Heat accepts as heat_template_version. */
export const HOT_RELEASE_NAMES: Readonly<Record<string, string>> = {
  newton: '2016-10-14', ocata: '2017-02-24', pike: '2017-09-01', queens: '2018-03-02', rocky: '2018-08-31',
};

const HOT_VERSIONS: ReadonlyMap<string, TemplateVersion> = (() => {
  const out = new Map<string, TemplateVersion>();
  const functions = new Set<string>();
  const conditionFunctions = new Set<string>();
  for (const [date, added, removed, conditionAdded] of HOT_CHANGES) {
    added.forEach((fn) => functions.add(fn));
    removed.forEach((fn) => functions.delete(fn));
    conditionAdded.forEach((fn) => conditionFunctions.add(fn));
    out.set(date, { format: 'hot', date, functions: new Set(functions), conditionFunctions: new Set(conditionFunctions), conditions: conditionFunctions.size > 0 });
  }
  return out;
})();

const CFN_FUNCTIONS = ['Fn::FindInMap', 'Fn::GetAZs', 'Ref', 'Fn::GetAtt', 'Fn::Select', 'Fn::Join', 'Fn::Split', 'Fn::Replace', 'Fn::Base64', 'Fn::MemberListToMap', 'Fn::ResourceFacade'];
const CFN_CONDITION_FUNCTIONS = ['Fn::Equals', 'Ref', 'Fn::FindInMap', 'Fn::Not', 'Fn::And', 'Fn::Or'];

const CFN_VERSIONS: ReadonlyMap<string, TemplateVersion> = new Map([
  ['HeatTemplateFormatVersion', { format: 'cfn', date: '2012-12-12', functions: new Set(CFN_FUNCTIONS), conditionFunctions: new Set<string>(), conditions: false }],
  ['AWSTemplateFormatVersion', { format: 'cfn', date: '2010-09-09', functions: new Set([...CFN_FUNCTIONS, 'Fn::If']), conditionFunctions: new Set(CFN_CONDITION_FUNCTIONS), conditions: true }],
]);

/** Every dated HOT version, oldest first. */
export const HOT_VERSION_DATES: readonly string[] = [...HOT_VERSIONS.keys()];

/** The HOT version for a heat_template_version value (a date or a release name). */
export function hotVersion(value: string): TemplateVersion | undefined {
  return HOT_VERSIONS.get(HOT_RELEASE_NAMES[value] ?? value);
}

/** The CFN version for `AWSTemplateFormatVersion: 2010-09-09` or `HeatTemplateFormatVersion: 2012-12-12`. */
export function cfnVersion(key: string, value: string): TemplateVersion | undefined {
  const version = CFN_VERSIONS.get(key);
  return version && version.date === value ? version : undefined;
}

/** A stable key a plan carries so the workflow resolves with the same function table. */
export function versionKey(version: TemplateVersion): string {
  return `${version.format}:${version.date}`;
}

export function versionByKey(key: string): TemplateVersion | undefined {
  const [format, date] = key.split(':');
  if (format === 'hot') return HOT_VERSIONS.get(date ?? '');
  return [...CFN_VERSIONS.values()].find((v) => v.date === date);
}

/** Every name that is a function in some version of the format: a one-key mapping with such a key is a call. */
export const KNOWN_FUNCTIONS: Readonly<Record<TemplateFormat, ReadonlySet<string>>> = {
  hot: new Set([...HOT_VERSIONS.values()].flatMap((v) => [...v.functions, ...v.conditionFunctions])),
  cfn: new Set([...CFN_VERSIONS.values()].flatMap((v) => [...v.functions, ...v.conditionFunctions])),
};

/** Why `fn` cannot be used in `version`: which version adds it, or that it was removed (and what replaces it). */
export function unavailableReason(fn: string, version: TemplateVersion, inCondition: boolean): string {
  if (version.format === 'cfn') {
    return inCondition
      ? `'${fn}' cannot be used in a condition (allowed: ${[...version.conditionFunctions].join(', ') || 'none: this format has no conditions'})`
      : fn === 'Fn::If' ? `'Fn::If' needs AWSTemplateFormatVersion 2010-09-09 (conditions)` : `'${fn}' can only be used in conditions`;
  }
  const here = `heat_template_version ${version.date}`;
  if (inCondition) {
    if (version.functions.has(fn)) return `'${fn}' cannot be used in a condition (allowed: ${[...version.conditionFunctions].join(', ')})`;
  } else if (version.conditionFunctions.has(fn)) {
    return `'${fn}' can only be used in conditions (the conditions section, 'condition', the first argument of 'if')`;
  }
  const table = (v: TemplateVersion) => (inCondition ? v.conditionFunctions : v.functions);
  const dates = HOT_VERSION_DATES.filter((date) => table(HOT_VERSIONS.get(date)!).has(fn));
  const later = dates.find((date) => date > version.date);
  if (later) return `'${fn}' needs heat_template_version ${later} or later (this template is ${here})`;
  if (dates.length > 0) {
    const replacement: Record<string, string> = { 'Fn::Join': 'list_join', 'Fn::Split': 'str_split', 'Fn::Replace': 'str_replace', 'Ref': 'get_resource or get_param', 'Fn::Select': 'get_attr or get_param with a path', 'Fn::ResourceFacade': 'resource_facade' };
    return `'${fn}' was removed after heat_template_version ${dates[dates.length - 1]} (this template is ${here})${replacement[fn] ? `; use ${replacement[fn]}` : ''}`;
  }
  return `'${fn}' is not available in ${here}`;
}

/** A version as Heat's API names it (`heat_template_version.2016-10-14`), with the release names that alias it. */
export interface NamedVersion {
  readonly name: string;
  readonly type: TemplateFormat;
  readonly aliases: readonly string[];
  readonly version: TemplateVersion;
}

/** Every version a template may declare, in Heat's order (its names sorted). */
export const NAMED_VERSIONS: readonly NamedVersion[] = [
  ...[...CFN_VERSIONS].map(([key, version]) => ({ name: `${key}.${version.date}`, type: version.format, aliases: [], version })),
  ...[...HOT_VERSIONS.values()].map((version) => ({
    name: `heat_template_version.${version.date}`, type: version.format, version,
    aliases: Object.entries(HOT_RELEASE_NAMES).filter(([, date]) => date === version.date).map(([release]) => `heat_template_version.${release}`),
  })),
].sort((a, b) => (a.name < b.name ? -1 : 1));

/** A version by its name or an alias's, as the API's `/template_versions/{name}` gives it. */
export function namedVersion(name: string): NamedVersion | undefined {
  return NAMED_VERSIONS.find((v) => v.name === name || v.aliases.includes(name));
}
