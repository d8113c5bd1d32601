// Shows mathematics: LaTeX source, or a mathjs expression tree (turned into LaTeX by mathjs's
// toTex). JupyterLab typesets it with its bundled MathJax; the exported HTML with a local MathJax.
import type { MathNode } from 'mathjs';
import { display } from './display';

export interface EquationOptions {
  /** An equation number or label shown at the right, e.g. '1' or '3a'. */
  tag?: string;
}

function isMathNode(value: unknown): value is MathNode {
  return typeof value === 'object' && value !== null && typeof (value as MathNode).toTex === 'function';
}

/**
 * LaTeX for a mathjs expression. Single-letter symbols are variables here: mathjs would set the
 * ones that are also unit names (b for bit, m, g, s...) upright, as units.
 */
export function latexOf(node: MathNode): string {
  return node.toTex({
    parenthesis: 'auto',
    implicit: 'hide',
    handler: (n: MathNode) => (n.type === 'SymbolNode' && /^[A-Za-z]$/.test((n as MathNode & { name: string }).name) ? ` ${(n as MathNode & { name: string }).name}` : undefined),
  });
}

/** The display-math LaTeX (`$$ ... $$`) for a LaTeX string or a mathjs node. */
export function equationLatex(expression: string | MathNode, options: EquationOptions = {}): string {
  const tex = isMathNode(expression) ? latexOf(expression) : expression;
  if (typeof tex !== 'string' || tex.trim() === '') {
    throw new Error('showEquation expects a LaTeX string or a mathjs node (e.g. math.parse("x^2")).');
  }
  if (tex.includes('$$')) throw new Error('showEquation adds the $$ delimiters itself; pass the bare LaTeX.');
  const tag = options.tag ? `\\tag{${options.tag}}` : '';
  return `$$${tex.trim()}${tag}$$`;
}

export function showEquation(expression: string | MathNode, options: EquationOptions = {}): void {
  display('text/latex', equationLatex(expression, options));
}
