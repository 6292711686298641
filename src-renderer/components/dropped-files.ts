// Files dropped on a form or chosen, as the Jobs page's forms keep them (ProgramForm, LibraryForm):
// a file by its name, a folder's files by their path in the folder.
import type { NamedBytes } from '../jobs/program-form.js';

/** A file as the form keeps it: a folder's by its path in the folder, a file's by its name. */
export async function namedBytes(file: File): Promise<NamedBytes> {
  const name = file.webkitRelativePath.split('/').slice(1).join('/') || file.name;
  return { name, bytes: new Uint8Array(await file.arrayBuffer()) };
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
async function filesUnder(entry: FileSystemEntry, prefix: string): Promise<NamedBytes[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ name: `${prefix}${file.name}`, bytes: new Uint8Array(await file.arrayBuffer()) }];
  }
  const children = await childrenOf(entry as FileSystemDirectoryEntry);
  return (await Promise.all(children.map((child) => filesUnder(child, `${prefix}${entry.name}/`)))).flat();
}

/** What was dropped: files by their names, a folder's files by their paths in it. */
export async function dropped(data: DataTransfer): Promise<NamedBytes[]> {
  const items = [...data.items].filter((item) => item.kind === 'file');
  const each = await Promise.all(
    items.map(async (item) => {
      const entry = item.webkitGetAsEntry();
      if (entry?.isDirectory)
        return (
          await Promise.all((await childrenOf(entry as FileSystemDirectoryEntry)).map((c) => filesUnder(c, '')))
        ).flat();
      const file = item.getAsFile();
      return file ? [await namedBytes(file)] : [];
    }),
  );
  return each.flat();
}
