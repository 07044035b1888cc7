/**
 * The resource dependency graph: ordering and cycle detection. Pure; the workflows import it.
 * Delete uses the same graph reversed: if A requires B, B is created first and deleted last.
 */

/** `requires[name]` lists what `name` waits for. */
export type Requirements = Readonly<Record<string, readonly string[]>>;

/**
 * A depth-first walk from each of `roots` in turn, iterative: a chain of 5,000 resources overflowed the call
 * stack of a recursive one. `reach` is asked of every name the walk comes to, with the path it is inside of:
 * 'enter' walks what the name requires (`next`, read once, on entering), 'skip' passes it by, 'stop' ends the
 * walk. `leave` is called once all a name requires has been walked, with the path left.
 */
export function walkDepthFirst(roots: readonly string[], next: (name: string) => readonly string[],
  reach: (name: string, path: readonly string[]) => 'enter' | 'skip' | 'stop', leave: (name: string, path: readonly string[]) => void): void {
  const path: string[] = [];
  const frames: { deps: readonly string[]; at: number }[] = [];
  const arrive = (name: string): boolean => {
    const decision = reach(name, path);
    if (decision === 'enter') {
      path.push(name);
      frames.push({ deps: next(name), at: 0 });
    }
    return decision === 'stop';
  };
  for (const root of roots) {
    if (arrive(root)) return;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.at < frame.deps.length) {
        if (arrive(frame.deps[frame.at++]!)) return;
      } else {
        frames.pop();
        leave(path.pop()!, path);
      }
    }
  }
}

/**
 * A cycle as a path that returns to its start (`a -> b -> a`), or undefined. Iterates names in sorted
 * order so the same template always reports the same cycle.
 */
export function findCycle(requires: Requirements): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  let cycle: string[] | undefined;
  walkDepthFirst(Object.keys(requires).sort(), (name) => [...(requires[name] ?? [])].filter((dep) => dep in requires).sort(), (name, path) => {
    const seen = state.get(name);
    if (seen === 'done') return 'skip';
    if (seen === 'visiting') {
      cycle = [...path.slice(path.indexOf(name)), name];
      return 'stop';
    }
    state.set(name, 'visiting');
    return 'enter';
  }, (name) => state.set(name, 'done'));
  return cycle;
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
  // Tarjan's algorithm on the iterative walk: a name's low link takes its requirements' as each is left.
  walkDepthFirst(Object.keys(requires).sort(), (name) => (requires[name] ?? []).filter((dep) => dep in requires), (name, path) => {
    const parent = path[path.length - 1];
    if (index.has(name)) {
      if (parent !== undefined && onStack.has(name)) low.set(parent, Math.min(low.get(parent)!, index.get(name)!));
      return 'skip';
    }
    index.set(name, counter);
    low.set(name, counter++);
    stack.push(name);
    onStack.add(name);
    return 'enter';
  }, (name, path) => {
    if (low.get(name) === index.get(name)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== name);
      if (group.length > 1 || (requires[name] ?? []).includes(name)) groups.push(group.sort());
    }
    const parent = path[path.length - 1];
    if (parent !== undefined) low.set(parent, Math.min(low.get(parent)!, low.get(name)!));
  });
  return groups.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
