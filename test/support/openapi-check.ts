/**
 * A structural check of an OpenAPI 3.x document: the rules of the specification that a generator can get wrong
 * (versions, path templating, parameters, responses, references, security). Returns the problems found.
 */
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const PATH_ITEM_KEYS = new Set([...METHODS, 'summary', 'description', 'servers', 'parameters', '$ref']);
const PARAMETER_LOCATIONS = new Set(['query', 'header', 'path', 'cookie']);
const SECURITY_TYPES = new Set(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function openApiProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const problem = (where: string, message: string) => problems.push(`${where}: ${message}`);
  if (!isObject(doc)) return ['document: not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.[01]\.\d+$/.test(doc.openapi)) problem('openapi', 'must be a 3.0.x or 3.1.x version string');
  if (!isObject(doc.info) || typeof doc.info.title !== 'string' || typeof doc.info.version !== 'string') {
    problem('info', 'needs string title and version');
  }
  const components = isObject(doc.components) ? doc.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme) || !SECURITY_TYPES.has(String(scheme.type))) problem(`securitySchemes.${name}`, 'unknown type');
    if (isObject(scheme) && scheme.type === 'http' && typeof scheme.scheme !== 'string') problem(`securitySchemes.${name}`, 'http needs scheme');
    if (isObject(scheme) && scheme.type === 'apiKey' && (!PARAMETER_LOCATIONS.has(String(scheme.in)) || typeof scheme.name !== 'string')) {
      problem(`securitySchemes.${name}`, 'apiKey needs in and name');
    }
  }
  const checkSecurity = (where: string, security: unknown) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return problem(where, 'security must be an array');
    for (const requirement of security) {
      if (!isObject(requirement)) problem(where, 'a security requirement must be an object');
      else for (const key of Object.keys(requirement)) if (!(key in schemes)) problem(where, `security scheme "${key}" is not defined`);
    }
  };
  checkSecurity('security', doc.security);

  if (!isObject(doc.paths)) {
    problem('paths', 'must be an object');
    return problems;
  }
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) problem(path, 'a path must start with /');
    if (!isObject(item)) {
      problem(path, 'path item must be an object');
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [key, op] of Object.entries(item)) {
      if (!PATH_ITEM_KEYS.has(key)) problem(path, `unknown key "${key}"`);
      if (!METHODS.has(key)) continue;
      const where = `${key.toUpperCase()} ${path}`;
      if (!isObject(op)) {
        problem(where, 'operation must be an object');
        continue;
      }
      if (typeof op.operationId === 'string') {
        if (operationIds.has(op.operationId)) problem(where, `duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      const parameters = Array.isArray(op.parameters) ? op.parameters : [];
      const seen = new Set<string>();
      for (const parameter of parameters) {
        if (!isObject(parameter) || typeof parameter.name !== 'string' || !PARAMETER_LOCATIONS.has(String(parameter.in))) {
          problem(where, 'a parameter needs a name and a valid "in"');
          continue;
        }
        const key = `${String(parameter.in)}:${parameter.name}`;
        if (seen.has(key)) problem(where, `duplicate parameter ${key}`);
        seen.add(key);
        if (parameter.in === 'path' && parameter.required !== true) problem(where, `path parameter ${parameter.name} must be required`);
        if (!isObject(parameter.schema) && !isObject(parameter.content)) problem(where, `parameter ${parameter.name} needs a schema`);
      }
      for (const name of templated) if (!seen.has(`path:${name}`)) problem(where, `path template {${name}} has no path parameter`);
      for (const key of seen) {
        if (key.startsWith('path:') && !templated.includes(key.slice(5))) problem(where, `path parameter ${key.slice(5)} is not in the path`);
      }
      if (op.requestBody !== undefined) {
        if (!isObject(op.requestBody) || !isObject(op.requestBody.content) || Object.keys(op.requestBody.content).length === 0) {
          problem(where, 'requestBody needs content');
        }
      }
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
        problem(where, 'needs at least one response');
      } else {
        for (const [status, response] of Object.entries(op.responses)) {
          if (!/^[1-5](\d\d|XX)$/.test(status) && status !== 'default') problem(where, `bad response key ${status}`);
          if (!isObject(response) || typeof response.description !== 'string') problem(`${where} ${status}`, 'response needs a description');
          else if (response.content !== undefined) {
            if (!isObject(response.content)) problem(`${where} ${status}`, 'content must be an object');
            else for (const [type, media] of Object.entries(response.content)) {
              if (!isObject(media) || (media.schema !== undefined && !isObject(media.schema) && typeof media.schema !== 'boolean')) {
                problem(`${where} ${status} ${type}`, 'media type schema must be a schema');
              }
            }
          }
        }
      }
      checkSecurity(where, op.security);
    }
  }
  // Every local reference must resolve.
  const resolve = (ref: string): boolean => {
    let node: unknown = doc;
    for (const part of ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isObject(node) || !(key in node)) return false;
      node = node[key];
    }
    return true;
  };
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${where}[${i}]`));
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/') && !resolve(value)) problem(where, `unresolved $ref ${value}`);
        walk(value, `${where}.${key}`);
      }
    }
  };
  walk(doc, '#');
  return problems;
}
