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

/**
 * Every group of resources that wait for each other (strongly connected components with a cycle),
 * each sorted, so a template with several cycles has all of them, and every member, reported at once.
 */
export function cycleGroups(requires: Requirements): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  const connect = (name: string): void => {
    index.set(name, counter);
    low.set(name, counter++);
    stack.push(name);
    onStack.add(name);
    for (const dep of requires[name] ?? []) {
      if (!(dep in requires)) continue;
      if (!index.has(dep)) {
        connect(dep);
        low.set(name, Math.min(low.get(name)!, low.get(dep)!));
      } else if (onStack.has(dep)) low.set(name, Math.min(low.get(name)!, index.get(dep)!));
    }
    if (low.get(name) !== index.get(name)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== name);
    if (group.length > 1 || (requires[name] ?? []).includes(name)) groups.push(group.sort());
  };
  for (const name of Object.keys(requires).sort()) if (!index.has(name)) connect(name);
  return groups.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
