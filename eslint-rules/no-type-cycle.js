// import-x/no-cycle skips type-only imports: it asks whether the code can load, not whether the layers run one way.
// A type-only cycle still ties two layers together, so this rule reports the cycles that need a type-only import to
// close (the ones made only of value imports are import-x/no-cycle's, and are not reported twice).
// It follows relative specifiers only: every internal import in this repository is relative and names its file.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** @type {Map<string, { mtimeMs: number, edges: { to: string, typeOnly: boolean }[] }>} */
const graph = new Map();

function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  }
  return undefined;
}

function isTypeOnlyTsImport(node) {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    !clause.name &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((e) => e.isTypeOnly)
  );
}

function isTypeOnlyTsExport(node) {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** The specifier a TypeScript node imports from, and whether it imports types only. */
function tsImportOf(node) {
  if (ts.isImportDeclaration(node)) return { specifier: node.moduleSpecifier, typeOnly: isTypeOnlyTsImport(node) };
  if (ts.isExportDeclaration(node) && node.moduleSpecifier) return { specifier: node.moduleSpecifier, typeOnly: isTypeOnlyTsExport(node) };
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
    return { specifier: node.arguments[0], typeOnly: false };
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) return { specifier: node.argument.literal, typeOnly: true };
  return undefined;
}

function edgesOf(file) {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return [];
  const cached = graph.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs) return cached.edges;
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges = [];
  const visit = (node) => {
    const found = tsImportOf(node);
    const to =
      found && found.specifier && ts.isStringLiteralLike(found.specifier) ? resolveRelative(file, found.specifier.text) : undefined;
    if (to) edges.push({ to, typeOnly: found.typeOnly });
    ts.forEachChild(node, visit);
  };
  visit(source);
  graph.set(file, { mtimeMs: stat.mtimeMs, edges });
  return edges;
}

/** A path of imports from `start` back to `goal` (a list of files), or undefined; `withTypes` also follows type-only imports. */
function routeBack(start, goal, withTypes) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === goal) {
      const route = [];
      for (let at = file; at !== undefined; at = previous.get(at)) route.unshift(at);
      return route;
    }
    for (const edge of edgesOf(file)) {
      if ((withTypes || !edge.typeOnly) && !previous.has(edge.to)) {
        previous.set(edge.to, file);
        queue.push(edge.to);
      }
    }
  }
  return undefined;
}

const everyType = (specifiers, kind) => specifiers.length > 0 && specifiers.every((s) => s[kind] === 'type');

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles that a type-only import closes (import-x/no-cycle reports the others).' },
    schema: [],
    messages: { cycle: 'Import cycle through a type-only import: {{route}}' },
  },
  create(context) {
    const file = context.physicalFilename;
    const check = (node, sourceNode, typeOnly) => {
      if (!sourceNode || typeof sourceNode.value !== 'string') return;
      const target = resolveRelative(file, sourceNode.value);
      if (!target || target === file) return;
      const route = routeBack(target, file, true);
      if (!route) return;
      // A cycle of value imports alone is import-x/no-cycle's to report.
      if (!typeOnly && routeBack(target, file, false)) return;
      const cwd = context.cwd;
      context.report({ node, messageId: 'cycle', data: { route: [file, ...route].map((f) => path.relative(cwd, f)).join(' -> ') } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source, node.importKind === 'type' || everyType(node.specifiers, 'importKind')),
      ExportNamedDeclaration: (node) => check(node, node.source, node.exportKind === 'type' || everyType(node.specifiers, 'exportKind')),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
      TSImportType: (node) => check(node, node.source ?? node.argument?.literal, true),
    };
  },
};
