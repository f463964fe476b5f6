import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
// The SDK's own test helpers register attributes with this encoder; it maps our typed keys to the proto enum.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import type { Logger } from 'pino';
import { AIRLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

/** Name and type of one search attribute, as declared in workflows/search-attributes.ts. */
export interface SearchAttributeDeclaration {
  name: string;
  type: SearchAttributeType;
}

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** `--search-attribute NAME=Type` pairs for `temporal server start-dev`. */
export function searchAttributeCliFlags(attributes: readonly SearchAttributeDeclaration[]): string[] {
  return attributes.flatMap((attribute) => ['--search-attribute', `${attribute.name}=${CLI_TYPE_NAMES[attribute.type]}`]);
}

/** The attributes a server still lacks, given the names it already has. */
export function missingSearchAttributes(
  wanted: readonly SearchAttributeDeclaration[],
  existingNames: Iterable<string>,
): SearchAttributeDeclaration[] {
  const existing = new Set(existingNames);
  return wanted.filter((attribute) => !existing.has(attribute.name));
}

/**
 * Registers whichever of Airlock's search attributes the namespace lacks, through the operator service. Safe to
 * repeat: attributes already present are left alone. A type clash (same name, other type) is the server's to
 * report when a workflow sets the attribute.
 */
export async function ensureSearchAttributes(options: {
  connection: Connection;
  namespace: string;
  logger: Logger;
  attributes?: readonly SearchAttributeDeclaration[];
}): Promise<string[]> {
  const { connection, namespace, logger } = options;
  const wanted = options.attributes ?? AIRLOCK_SEARCH_ATTRIBUTES;
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = missingSearchAttributes(wanted, [
    ...Object.keys(listed.customAttributes ?? {}),
    ...Object.keys(listed.systemAttributes ?? {}),
  ]);
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((attribute) => [attribute.name, indexedValueType(attribute.type)]),
    ),
  });
  const names = missing.map((attribute) => attribute.name);
  logger.info({ namespace, attributes: names }, 'registered search attributes');
  return names;
}

function indexedValueType(type: SearchAttributeType) {
  const encoded = encodeSearchAttributeIndexedValueType(type);
  if (encoded === undefined) throw new TypeError(`unknown search attribute type ${type}`);
  return encoded;
}
