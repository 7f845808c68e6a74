#!/usr/bin/env node
// The import check of `npm run lint`: no import circles, none of STYLE.md's "never" rules broken,
// and nothing that does I/O reachable from the pure modules (config/, reconcile/plan.ts).
// Dependency-free on purpose: a regex over src/**/*.ts, relative paths resolved, a graph built.
// Type-only imports count too: a type is a vocabulary, and vocabularies live with their producer.
//
// Usage: node scripts/check-imports.mjs [project dir, default: the repo]   exit 0 clean, 1 not.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const srcDir = join(project, 'src');

// A room is the first folder under src/; files directly in src/ (errors.ts, version.ts) are shared.
// `generated/` is config's own: the validator and type generated from the schema.
const ROOT = '(src/)';
const OUTSIDE = '(outside src/)';

/** Each rule: a room, and the rooms it must not import (or the only ones it may). */
const RULES = [
  // ROOT: the shared files directly in src/ (errors.ts, units.ts, ports.ts); worker/ may not even use those.
  { room: 'config', only: ['config', 'generated', ROOT], why: 'config/ is pure input: it imports from no other room' },
  { room: 'generated', only: ['generated'], why: 'generated/ is built from the schema alone' },
  { room: 'cli', never: ['supervisor'], why: 'the CLI reaches processes through the daemon, never the supervisor' },
  { room: 'supervisor', never: ['cli', 'daemon', 'reconcile'], why: 'the supervisor produces the actual state; the plan reads it' },
  { room: 'reconcile', never: ['daemon'], why: 'the plan knows nothing of the socket' },
  { room: 'worker', only: ['worker'], why: 'the app helper stands alone; others import its wire types from it' },
  { room: 'logs', never: ['cli', 'daemon'], why: 'logs/ has no screen and knows no socket' },
  { room: 'process', only: ['process', ROOT], why: 'process/ holds OS helpers anyone may import: it imports only itself' },
];

// "Pure" is an allow-list: the modules below are pure, may import only each other and the pure
// packages, and everything they import is checked the same way (so purity is transitive).
// WARNING: config/load.ts is config's one I/O edge (reads the file, then calls the pure core), so it
// is not on the list; a pure module importing it is a rule break.
const PURE_ROOTS = [/^config\/(?!load\.ts$)/, /^reconcile\/plan\.ts$/];
const PURE_MODULES = [
  /^config\/(?!load\.ts$)[^/]+$/,
  /^generated\//,
  /^reconcile\/(plan|fields|order|preflight|types)\.ts$/,
  // The actual state the supervisor produces and the plan reads: types only.
  /^supervisor\/view\.ts$/,
  // Shared files with no I/O: the wording of ports and their holders, durations and sizes.
  /^(ports|units)\.ts$/,
];
// Packages with no I/O in what we import from them (dotenv: only `parse`).
const PURE_PACKAGES = ['node:path', 'node:crypto', 'node:util', 'yaml', 'ajv', 'ms', 'shell-quote', 'fastest-levenshtein', 'dotenv'];

const IMPORT_PATTERNS = [
  // import x from '…' · import type { a } from '…' · import x, { a } from '…' · import * as x from '…'
  /^[ \t]*import\s+(?:type\s+)?(?:\{[^}]*\}|\*\s+as\s+\w+|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?)\s+from\s*['"]([^'"]+)['"]/gm,
  // export { a } from '…' · export * from '…' · export * as x from '…'
  /^[ \t]*export\s+(?:type\s+)?(?:\{[^}]*\}|\*(?:\s+as\s+\w+)?)\s+from\s*['"]([^'"]+)['"]/gm,
  // import '…' (for its effects)
  /^[ \t]*import\s*['"]([^'"]+)['"]/gm,
  // await import('…')
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

const toPosix = (path) => path.split(sep).join('/');

function listTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names, as a path relative to src/ ('../x' outside it). */
function resolveRelative(from, specifier) {
  const target = resolve(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, join(target, 'index.ts'), target];
  const found = candidates.find((candidate) => existsSync(candidate) && !candidate.endsWith(sep)) ?? target;
  return toPosix(relative(srcDir, found));
}

function roomOf(path) {
  if (path.startsWith('../')) return OUTSIDE;
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : ROOT;
}

const lineAt = (text, index) => text.slice(0, index).split('\n').length;

/** Every import of every file: { from, line, specifier, target (src-relative) | undefined (a package) }. */
function readImports(files) {
  const imports = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const from = toPosix(relative(srcDir, file));
    const seen = new Set();
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1];
        const line = lineAt(text, match.index + match[0].indexOf(specifier));
        if (seen.has(`${line}:${specifier}`)) continue;
        seen.add(`${line}:${specifier}`);
        const target = specifier.startsWith('.') ? resolveRelative(file, specifier) : undefined;
        imports.push({ from, line, specifier, target });
      }
    }
  }
  return imports;
}

function ruleBreaks(imports) {
  const breaks = [];
  for (const { from, line, specifier, target } of imports) {
    if (target === undefined) continue;
    const room = roomOf(from);
    const targetRoom = roomOf(target);
    if (targetRoom === room) continue;
    for (const rule of RULES) {
      if (rule.room !== room) continue;
      const broken = rule.only ? !rule.only.includes(targetRoom) : rule.never.includes(targetRoom);
      if (broken) breaks.push(`src/${from}:${line}: ${room}/ imports ${describeRoom(targetRoom)} ('${specifier}'): ${rule.why}`);
    }
  }
  return breaks;
}

const describeRoom = (room) => (room === ROOT || room === OUTSIDE ? room : `${room}/`);

function purityBreaks(imports) {
  const isPure = (path) => PURE_MODULES.some((pattern) => pattern.test(path));
  const isPurePackage = (name) => PURE_PACKAGES.some((pkg) => name === pkg || name.startsWith(`${pkg}/`));
  const byFile = new Map();
  for (const entry of imports) byFile.set(entry.from, [...(byFile.get(entry.from) ?? []), entry]);
  const breaks = [];
  // Walk from the pure roots; `via` remembers how a module was reached, for the message.
  const via = new Map();
  const queue = [...byFile.keys()].filter((file) => PURE_ROOTS.some((pattern) => pattern.test(file)));
  for (const file of queue) via.set(file, undefined);
  while (queue.length > 0) {
    const file = queue.shift();
    for (const { line, specifier, target } of byFile.get(file) ?? []) {
      const reason =
        target === undefined
          ? isPurePackage(specifier) ? undefined : `'${specifier}' is not on the pure packages' list`
          : isPure(target) ? undefined : `src/${target} is not on the pure modules' list`;
      if (reason !== undefined) {
        breaks.push(`src/${file}:${line}: a pure module imports '${specifier}': ${reason}${chain(via, file)}`);
      } else if (target !== undefined && !via.has(target)) {
        via.set(target, file);
        queue.push(target);
      }
    }
  }
  return breaks;
}

function chain(via, file) {
  const path = [];
  for (let at = via.get(file); at !== undefined; at = via.get(at)) path.unshift(`src/${at}`);
  return path.length === 0 ? '' : ` (reached from ${path.join(' → ')})`;
}

/** Circles: each strongly connected component of more than one file (or a file importing itself). */
function circles(imports) {
  const edges = new Map();
  for (const { from, target } of imports) {
    if (target === undefined || target.startsWith('../')) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(target);
  }
  const components = stronglyConnected([...edges.keys()].sort(), (node) => [...(edges.get(node) ?? [])].sort());
  return components
    .filter((component) => component.length > 1 || edges.get(component[0])?.has(component[0]))
    .map((component) => {
      const members = new Set(component);
      const start = [...component].sort()[0];
      const cycle = shortestCycle(start, (node) => [...(edges.get(node) ?? [])].filter((next) => members.has(next)).sort());
      const rest = component.length > cycle.length - 1 ? ` (and ${component.length - cycle.length + 1} more files in the same circle: ${component.filter((f) => !cycle.includes(f)).sort().map((f) => `src/${f}`).join(', ')})` : '';
      return `import circle: ${cycle.map((file) => `src/${file}`).join(' → ')}${rest}`;
    });
}

// Tarjan's algorithm, iterative so a deep tree cannot overflow the stack.
function stronglyConnected(nodes, next) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work = [{ node: root, children: next(root), at: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.at < frame.children.length) {
        const child = frame.children[frame.at++];
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, children: next(child), at: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(child)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/** The shortest path start → … → start (breadth first), as a list that begins and ends with start. */
function shortestCycle(start, next) {
  const parent = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const child of next(node)) {
      if (child === start) {
        const path = [start];
        for (let at = node; at !== undefined; at = parent.get(at)) path.unshift(at);
        return path;
      }
      if (!parent.has(child)) {
        parent.set(child, node);
        queue.push(child);
      }
    }
  }
  return [start, start];
}

if (!existsSync(srcDir)) {
  console.error(`import check: no src/ in ${project}`);
  process.exit(2);
}
const files = listTs(srcDir).sort();
const imports = readImports(files);
const problems = [...circles(imports), ...ruleBreaks(imports), ...purityBreaks(imports)];
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`import check: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files.length} files (rules: scripts/check-imports.mjs, STYLE.md "never")`);
  process.exit(1);
}
console.log(`import check: ${files.length} files, ${imports.length} imports, no circle, no rule broken`);
