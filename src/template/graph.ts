/**
 * The resource dependency graph: ordering and cycle detection. Pure; the workflows import it.
 * Delete uses the same graph reversed: if A requires B, B is created first and deleted last.
 */

/** `requires[name]` lists what `name` waits for. */
export type Requirements = Readonly<Record<string, readonly string[]>>;

/**
 * A cycle as a path that returns to its start (`a -> b -> a`), or undefined. Iterates names in sorted
 * order so the same template always reports the same cycle.
 */
export function findCycle(requires: Requirements): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const seen = state.get(name);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of [...(requires[name] ?? [])].sort()) {
      if (!(dep in requires)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(requires).sort()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The graph with every edge turned around: who must be gone before each resource can be deleted. */
export function reversed(requires: Requirements): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(requires)) out[name] = [];
  for (const [name, deps] of Object.entries(requires)) {
    for (const dep of deps) if (dep in out) out[dep]!.push(name);
  }
  for (const deps of Object.values(out)) deps.sort();
  return out;
}
