/**
 * Strongly connected components of a small directed graph (Tarjan 1972), iterative so a
 * long chain of trades cannot overflow the call stack. Wash-trading uses it on the graph
 * "owner → owner it sold to" to find rings of owners passing an asset round.
 *
 * @module
 */

/**
 * The strongly connected components of the graph with nodes `0..nodeCount-1` and the
 * edges `from → successors[from][k]`. Each component lists its nodes; components come out
 * in reverse topological order, as Tarjan's algorithm finds them.
 */
export function stronglyConnectedComponents(
  nodeCount: number,
  successors: readonly (readonly number[])[],
): number[][] {
  const index = new Int32Array(nodeCount).fill(-1);
  const lowLink = new Int32Array(nodeCount);
  const onStack = new Uint8Array(nodeCount);
  const stack: number[] = [];
  const components: number[][] = [];
  // Explicit call stack: the node being visited and how many of its successors were seen.
  const callNode: number[] = [];
  const callEdge: number[] = [];
  let nextIndex = 0;

  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue;
    callNode.push(root);
    callEdge.push(0);
    index[root] = lowLink[root] = nextIndex++;
    stack.push(root);
    onStack[root] = 1;
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top] as number;
      const edges = successors[v] ?? [];
      const k = callEdge[top] as number;
      if (k < edges.length) {
        callEdge[top] = k + 1;
        const w = edges[k] as number;
        if (index[w] === -1) {
          index[w] = lowLink[w] = nextIndex++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(0);
        } else if (onStack[w] === 1 && (index[w] as number) < (lowLink[v] as number)) {
          lowLink[v] = index[w] as number;
        }
        continue;
      }
      // All successors of v seen: v roots a component when nothing below reached higher.
      if (lowLink[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
      callNode.pop();
      callEdge.pop();
      const parent = callNode[callNode.length - 1];
      if (parent !== undefined && (lowLink[v] as number) < (lowLink[parent] as number)) {
        lowLink[parent] = lowLink[v] as number;
      }
    }
  }
  return components;
}
