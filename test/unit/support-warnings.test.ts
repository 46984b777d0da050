import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';
import { SUPPORT } from '@shadow-ts/core';
import { ROOT } from '../e2e/harness.js';
import { builtinTaps } from './builtins.js';

/**
 * Partial support is said twice: by a note in the table and by a warnOnce in the code. This
 * reads the built-in plugins' sources and checks that the handler of every `partial` name can
 * reach a `ctx.warnOnce` whose key starts with that name.
 *
 * A key "starts with the name" when it is `'<name>'` or `'<name>:…'`, or when its first part is a
 * value that holds the calling syscall's name: `${ctx.name}…`, or a parameter typed as a union of
 * name literals (`call: 'clone' | 'clone3'`) that includes it. "Reach" starts at the function
 * tapped in the plugin's `index.ts` and follows plain names (same file, else imported) and, for
 * keys that spell the name, also method calls (`file.ioctl(…)` reaches every kind's ioctl): an
 * over-approximation kept honest by the key having to name the syscall. A `${ctx.name}` key is
 * reached through plain names and through methods named after the syscall itself
 * (`sock.getsockopt(…)` from getsockopt: each kind's getsockopt implements that call).
 */

const PLUGINS_DIR = join(ROOT, 'plugins');

type FunctionLike = ts.FunctionLikeDeclaration;

interface Sources {
  /** Syscall name → handler expressions tapped for it in a plugin's index.ts. */
  readonly handlers: Map<string, ts.Expression[]>;
  /** Function, method and arrow-constant declarations of all plugins, by name. */
  readonly functions: Map<string, FunctionLike[]>;
}

function sourceFiles(dir: string): ts.SourceFile[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => ts.createSourceFile(join(dir, f), readFileSync(join(dir, f), 'utf8'), ts.ScriptTarget.Latest, true));
}

function readSources(): Sources {
  const handlers = new Map<string, ts.Expression[]>();
  const functions = new Map<string, FunctionLike[]>();
  const declare = (name: string, fn: FunctionLike) => functions.set(name, [...(functions.get(name) ?? []), fn]);
  for (const plugin of readdirSync(PLUGINS_DIR)) {
    for (const file of sourceFiles(join(PLUGINS_DIR, plugin, 'src'))) {
      const isIndex = file.fileName.endsWith(join(plugin, 'src', 'index.ts'));
      const visit = (node: ts.Node): void => {
        if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name && node.body) {
          declare(node.name.getText(), node);
        } else if (
          (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node)) &&
          node.initializer &&
          (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
        ) {
          declare(node.name.getText(), node.initializer);
        } else if (isIndex && ts.isCallExpression(node)) {
          // sc.for('<name>').tap(PLUGIN_NAME, handler)
          const callee = node.expression;
          const target = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
          if (
            ts.isPropertyAccessExpression(callee) &&
            callee.name.text === 'tap' &&
            target &&
            ts.isCallExpression(target) &&
            ts.isPropertyAccessExpression(target.expression) &&
            target.expression.name.text === 'for' &&
            target.arguments[0] &&
            ts.isStringLiteral(target.arguments[0]) &&
            node.arguments[1]
          ) {
            const name = target.arguments[0].text;
            handlers.set(name, [...(handlers.get(name) ?? []), node.arguments[1]]);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
  }
  return { handlers, functions };
}

/** A method of a class or object literal (reached as `x.name`), as opposed to a plain function. */
function isMethod(fn: FunctionLike): boolean {
  return ts.isMethodDeclaration(fn) || ts.isPropertyAssignment(fn.parent);
}

/** The identifier an access chain starts from (`ctx` for `ctx.memory.write`). */
function rootName(expr: ts.Expression): string | undefined {
  while (ts.isPropertyAccessExpression(expr) || ts.isCallExpression(expr) || ts.isElementAccessExpression(expr)) expr = expr.expression;
  return ts.isIdentifier(expr) ? expr.text : undefined;
}

const importedNames = new WeakMap<ts.SourceFile, Set<string>>();

/** The names a file imports. */
function imported(file: ts.SourceFile): Set<string> {
  let names = importedNames.get(file);
  if (!names) {
    names = new Set();
    for (const st of file.statements) {
      const bindings = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : undefined;
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.add(el.name.text);
    }
    importedNames.set(file, names);
  }
  return names;
}

/**
 * The function nodes `start` can reach by naming declared functions in their bodies; method
 * calls are followed to every method of that name (`methods` true), to the methods of one name
 * only (a string), or not at all (false).
 */
function reachable(start: readonly ts.Node[], functions: Map<string, FunctionLike[]>, methods: boolean | string): Set<ts.Node> {
  const seen = new Set<ts.Node>();
  const queue = [...start];
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAccessExpression(n)) {
        // `x.m`: the methods called m, unless x is the SDK's ctx (ctx.memory.write is no file's write).
        const followed = methods === true || methods === n.name.text;
        if (followed && rootName(n.expression) !== 'ctx') queue.push(...(functions.get(n.name.text) ?? []).filter(isMethod));
        visit(n.expression);
        return;
      }
      if (ts.isIdentifier(n)) {
        // A plain name is the function of that name in the same file, else an imported one.
        const plain = (functions.get(n.text) ?? []).filter((f) => !isMethod(f));
        const local = plain.filter((f) => f.getSourceFile() === n.getSourceFile());
        queue.push(...(local.length > 0 ? local : imported(n.getSourceFile()).has(n.text) ? plain : []));
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
  }
  return seen;
}

/** The syscall names a warnOnce key can start with: a list, or 'any' for `${ctx.name}`. */
function keyNames(key: ts.Expression): string[] | 'any' {
  const upTo = (text: string) => [text.split(':')[0]!];
  if (ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key)) return upTo(key.text);
  if (!ts.isTemplateExpression(key)) return [];
  if (key.head.text !== '') return upTo(key.head.text);
  const first = key.templateSpans[0]!;
  if (!/^(:|$)/.test(first.literal.text)) return [];
  const expr = first.expression;
  if (ts.isPropertyAccessExpression(expr) && expr.name.text === 'name' && expr.expression.getText() === 'ctx') return 'any';
  if (ts.isIdentifier(expr)) {
    // A parameter of the enclosing function typed as a union of string literals.
    for (let n: ts.Node | undefined = expr.parent; n; n = n.parent) {
      if (!ts.isFunctionLike(n)) continue;
      const param = n.parameters.find((p) => p.name.getText() === expr.text);
      if (!param?.type) continue;
      const types = ts.isUnionTypeNode(param.type) ? param.type.types : [param.type];
      return types.flatMap((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? [t.literal.text] : []));
    }
  }
  return [];
}

/** The warnOnce keys in the bodies of `fns`. */
function warnKeys(fns: Iterable<ts.Node>): ts.Expression[] {
  const keys: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'warnOnce' && n.arguments[0]) {
      keys.push(n.arguments[0]);
    }
    ts.forEachChild(n, visit);
  };
  for (const fn of fns) visit(fn);
  return keys;
}

/**
 * Whether a handler of `name` reaches a warnOnce keyed by it. A key that spells the name may be
 * reached through any call, method calls included; a `${ctx.name}` key only through plain
 * function calls and methods named `name`, so that a method some other syscall calls (a file
 * kind's read, reached from readv) does not count.
 */
function warnsFor(name: string, sources: Sources): boolean {
  const start = (sources.handlers.get(name) ?? []).flatMap((h): ts.Node[] =>
    ts.isIdentifier(h) ? sources.functions.get(h.text) ?? [] : [h],
  );
  const named = (key: ts.Expression) => {
    const names = keyNames(key);
    return names !== 'any' && names.includes(name);
  };
  return (
    warnKeys(reachable(start, sources.functions, true)).some(named) ||
    warnKeys(reachable(start, sources.functions, name)).some((key) => keyNames(key) === 'any')
  );
}

describe('partial support warns once', () => {
  let sources: Sources;
  let tapped: Set<string>;

  before(async () => {
    sources = readSources();
    tapped = await builtinTaps();
  });

  it('finds the handler of every partial built-in tap in the plugin sources', () => {
    // Taps made in a loop over a list of names (the file system strategies' path calls) are not
    // read from the sources; none of them may be partial, or its warning would go unchecked.
    const partial = [...tapped].filter((name) => SUPPORT[name as keyof typeof SUPPORT]?.level === 'partial');
    expect(partial.filter((name) => !sources.handlers.has(name)), 'partial taps not found').to.deep.equal([]);
    expect([...sources.handlers.keys()].filter((name) => !tapped.has(name)), 'found but not tapped').to.deep.equal([]);
  });

  it('reads keys as the syscall names they start with', () => {
    const key = (text: string) => {
      const file = ts.createSourceFile('k.ts', `function f(ctx, call: 'clone' | 'clone3') { ${text}; }`, ts.ScriptTarget.Latest, true);
      let found: ts.Expression | undefined;
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && n.arguments[0]) found = n.arguments[0];
        ts.forEachChild(n, visit);
      };
      visit(file);
      return keyNames(found!);
    };
    expect(key("w('pipe2:O_DIRECT')")).to.deep.equal(['pipe2']);
    expect(key('w(`fcntl:${kind}`)')).to.deep.equal(['fcntl']);
    expect(key('w(`${ctx.name}:flags`)')).to.equal('any');
    expect(key('w(`${call}:vm`)')).to.deep.equal(['clone', 'clone3']);
    expect(key('w(`${other}:x`)')).to.deep.equal([]);
    expect(key("w('tcp:congestion-late')")).to.deep.equal(['tcp']);
  });

  it('has a warnOnce keyed by the name for every partial entry', () => {
    const silent = Object.entries(SUPPORT)
      .filter(([name, support]) => support.level === 'partial' && !warnsFor(name, sources))
      .map(([name]) => name);
    expect(silent, 'partial entries whose handler never warns').to.deep.equal([]);
  });
});
