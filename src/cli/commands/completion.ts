import type { Command } from 'commander';
import { bashScript, fishScript, zshScript } from '../completion-scripts.js';
import { commandTable } from '../completion-table.js';

/** `orch completion bash|zsh|fish`: the script, from the program's own command table. */
export const completion = async (shell: 'bash' | 'zsh' | 'fish', program: Command): Promise<void> => {
  const table = commandTable(program);
  process.stdout.write(shell === 'bash' ? bashScript(table) : shell === 'zsh' ? zshScript(table) : fishScript(table));
};
