// Globs for `watch.ignore`. chokidar 4 dropped glob support, and `path.matchesGlob` is still
// experimental in Node 20, so a tiny translation of `*`, `**`, `?` to a RegExp does it.

const cache = new Map<string, RegExp>();

/** `*` and `?` stay within one path segment; `**` spans any number of segments (including none). */
export const globToRegExp = (glob: string): RegExp => {
  const cached = cache.get(glob);
  if (cached) return cached;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
      if (atStart && glob[i + 2] === '/') {
        re += '(?:.*/)?'; // `**/` : zero or more whole segments
        i += 2;
      } else if (atStart && atEnd) {
        re += '.*';
        i += 1;
      } else {
        re += '[^/]*'; // `a**b` is just `a*b`
        i += 1;
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const compiled = new RegExp(`^${re}$`);
  cache.set(glob, compiled);
  return compiled;
};

export const matchesGlob = (path: string, glob: string): boolean => globToRegExp(glob).test(path);

/**
 * Whether `relPath` (relative to the watched root, `/`-separated) is ignored. A pattern without a
 * `/` (`node_modules`, `*.log`) matches any segment, like .gitignore; one with a `/` matches the
 * path from the root. Matching a directory ignores everything under it.
 */
export const isIgnored = (relPath: string, patterns: readonly string[]): boolean => {
  if (relPath === '' || relPath === '.') return false;
  const segments = relPath.split('/');
  return patterns.some((raw) => {
    const pattern = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (pattern === '') return false;
    if (!pattern.includes('/')) return segments.some((s) => matchesGlob(s, pattern));
    for (let n = 1; n <= segments.length; n++) {
      if (matchesGlob(segments.slice(0, n).join('/'), pattern)) return true;
    }
    return false;
  });
};
