// Where a Jobs page form takes its files (ProgramForm, LibraryForm, BlenderForm): dropped on it
// (files, or a folder's files by their paths) or chosen with its file inputs; read once the form's
// `beforeReading` has found nothing wrong in their names and sizes.
import { useState, type ReactNode } from 'react';
import type { NamedBytes } from '../kinds/wasi/program-form.js';
import { dropped, listChosen, readListed, type ListedFile } from './dropped-files.js';

/** One of the zone's file inputs. */
interface FilePicker {
  label: string;
  testId: string;
  multiple?: boolean;
  /** A folder's files rather than files. */
  folder?: boolean;
  accept?: string;
}

interface DropZoneProps {
  /** What the zone says: what to drop, or what was dropped. */
  prompt: ReactNode;
  pickers: FilePicker[];
  testId: string;
  className?: string;
  onFiles: (files: NamedBytes[]) => void;
  onProblem: (message: string) => void;
  /** What is wrong with the files, by their names and sizes, before any is read: then none is. */
  beforeReading?: (files: ReadonlyArray<{ name: string; size: number }>) => string | undefined;
}

/** "3 files: a, b, c…": what a zone holds, or `empty` when nothing. */
export function filesSummary(files: readonly NamedBytes[], empty: string): string {
  if (files.length === 0) return empty;
  const names = files
    .slice(0, 3)
    .map((f) => f.name)
    .join(', ');
  return `${files.length} file${files.length === 1 ? '' : 's'}: ${names}${files.length > 3 ? '…' : ''}`;
}

export function DropZone({ prompt, pickers, testId, className, onFiles, onProblem, beforeReading }: DropZoneProps) {
  const [dragging, setDragging] = useState(false);
  const take = async (listed: ListedFile[]) => {
    const wrong = beforeReading?.(listed.map(({ name, file }) => ({ name, size: file.size })));
    if (wrong === undefined) onFiles(await readListed(listed));
    else onProblem(wrong);
  };
  const failed = (what: string) => (error: unknown) => onProblem(`cannot read what was ${what}: ${String(error)}`);
  return (
    <div
      className={`drop-zone${className ? ` ${className}` : ''}${dragging ? ' drop-zone-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        dropped(e.dataTransfer).then(take).catch(failed('dropped'));
      }}
      data-testid={testId}
    >
      <span>{prompt}</span>
      {pickers.map((picker) => (
        <label className="field" key={picker.testId}>
          <span>{picker.label}</span>
          <input
            type="file"
            {...(picker.multiple ? { multiple: true } : {})}
            {...(picker.accept ? { accept: picker.accept } : {})}
            ref={picker.folder ? (input) => input?.setAttribute('webkitdirectory', '') : undefined}
            onChange={(e) => void take(listChosen(e.target.files)).catch(failed('chosen'))}
            data-testid={picker.testId}
          />
        </label>
      ))}
    </div>
  );
}
