// Files dropped on a form or chosen, as the Jobs page's forms keep them (ProgramForm, LibraryForm,
// BlenderForm): a file by its name, a folder's files by their path in the folder. They are listed
// first, by name and size, and read only once the form has taken the list (`beforeReading`): a
// folder of a film's assets is not read into memory to be refused.
import type { NamedBytes } from '../kinds/wasi/program-form.js';

/** A file listed, not read yet, by the name the form will keep it under. */
export interface ListedFile {
  name: string;
  file: File;
}

/** A file's name as the form keeps it: a folder's by its path in the folder, a file's by its name. */
const nameOf = (file: File): string => file.webkitRelativePath.split('/').slice(1).join('/') || file.name;

/** Files chosen with a file input (a folder's, by their paths in it). */
export const listChosen = (list: FileList | null): ListedFile[] =>
  [...(list ?? [])].map((file) => ({ name: nameOf(file), file }));

/** The files' bytes. */
export const readListed = (files: readonly ListedFile[]): Promise<NamedBytes[]> =>
  Promise.all(files.map(async ({ name, file }) => ({ name, bytes: new Uint8Array(await file.arrayBuffer()) })));

/** One chosen file, read. */
export async function namedBytes(file: File): Promise<NamedBytes> {
  return (await readListed([{ name: nameOf(file), file }]))[0]!;
}

/** What a directory entry holds, in one list (readEntries answers a batch at a time). */
async function childrenOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** The files under a dropped entry, named by their path below `prefix`. */
async function filesUnder(entry: FileSystemEntry, prefix: string): Promise<ListedFile[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ name: `${prefix}${file.name}`, file }];
  }
  const children = await childrenOf(entry as FileSystemDirectoryEntry);
  return (await Promise.all(children.map((child) => filesUnder(child, `${prefix}${entry.name}/`)))).flat();
}

/** What was dropped: files by their names, a folder's files by their paths in it. */
export async function dropped(data: DataTransfer): Promise<ListedFile[]> {
  const items = [...data.items].filter((item) => item.kind === 'file');
  const each = await Promise.all(
    items.map(async (item) => {
      const entry = item.webkitGetAsEntry();
      if (entry?.isDirectory)
        return (
          await Promise.all((await childrenOf(entry as FileSystemDirectoryEntry)).map((c) => filesUnder(c, '')))
        ).flat();
      const file = item.getAsFile();
      return file ? [{ name: nameOf(file), file }] : [];
    }),
  );
  return each.flat();
}
