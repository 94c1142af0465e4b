// Finds the places in TypeScript sources that write an app's or a deployment's status or live
// route: lifecycle/ must be the only one (only-writer.test.ts runs this over the whole tree). Read
// from the syntax, so it sees `.update(apps).set({ status })` but not a status hidden in a spread.
import ts from 'typescript';

/** Columns that only lifecycle/ writes, per table. */
export const guardedColumns: Record<'apps' | 'deployments', readonly string[]> = {
  apps: ['status', 'liveDeploymentId', 'replicaCount'],
  deployments: ['status', 'containerId', 'hostPort'],
};

const routeWriters = ['writeRoute', 'removeRoute'];

export interface StatusWrite {
  line: number;
  what: string;
}

/** `apps`, `schema.apps` (or deployments): the table an update or insert names, else null. */
function tableOf(node: ts.Expression | undefined): 'apps' | 'deployments' | null {
  if (node === undefined) return null;
  const name = ts.isIdentifier(node)
    ? node.text
    : ts.isPropertyAccessExpression(node)
      ? node.name.text
      : null;
  return name === 'apps' || name === 'deployments' ? name : null;
}

function propertyNames(node: ts.Expression | undefined): string[] {
  if (node === undefined || !ts.isObjectLiteralExpression(node)) return [];
  return node.properties.flatMap((property) =>
    (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) &&
    (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
      ? [property.name.text]
      : [],
  );
}

/** `.method(` called on something: the method's name and what it was called on. */
function methodCall(node: ts.Node): { name: string; target: ts.Expression; call: ts.CallExpression } | null {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return null;
  return { name: node.expression.name.text, target: node.expression.expression, call: node };
}

export function findStatusWrites(fileName: string, source: string): StatusWrite[] {
  // Most files write no row and import no route writer: they need no parse.
  if (!/\.(update|insert)\(|route-table/.test(source)) return [];
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false);
  const found: StatusWrite[] = [];
  const report = (node: ts.Node, what: string) =>
    found.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, what });

  const visit = (node: ts.Node) => {
    const outer = methodCall(node);
    // .update(table).set({...}) and .insert(table).values({...})
    const inner = outer && methodCall(outer.target);
    if (outer && inner && (outer.name === 'set' || outer.name === 'values')) {
      const table = tableOf(inner.call.arguments[0]);
      if (
        table &&
        ((outer.name === 'set' && inner.name === 'update') ||
          (outer.name === 'values' && inner.name === 'insert'))
      ) {
        const written = propertyNames(outer.call.arguments[0]).filter((name) =>
          guardedColumns[table].includes(name),
        );
        if (written.length > 0) report(node, `${inner.name}(${table}) writes ${written.join(', ')}`);
        if (table === 'deployments' && inner.name === 'insert')
          report(node, 'insert(deployments): use queueDeployment');
      }
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const bindings = node.importClause?.namedBindings;
      if (
        node.moduleSpecifier.text.endsWith('routing/route-table') &&
        bindings &&
        ts.isNamedImports(bindings)
      ) {
        for (const element of bindings.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (routeWriters.includes(imported)) report(node, `imports ${imported}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
