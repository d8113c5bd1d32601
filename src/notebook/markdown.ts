// Shows Markdown built in code (text with computed numbers); `$...$` math in it is typeset too.
import { display } from './display';

export function showMarkdown(markdown: string): void {
  display('text/markdown', markdown);
}
