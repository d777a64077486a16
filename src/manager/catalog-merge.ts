import type {BackendKind, ModelInfo, ModelSource} from '../domain.js';

// One catalogue from every backend's list. LM Studio keeps its downloads in ~/.lmstudio/models,
// a folder mai also scans: the same file then comes from both, and is one model with two sources
// (a second entry would offer to load it twice). The same goes across hosts (DESIGN.md §9): a
// model two hosts serve under one name is one entry with a source per host, this machine's first,
// then the hosts in the order of their listings (mai lists them by priority). Pure, so every rule
// has a table test.

export type BackendListing = {readonly backendId: string; readonly kind: BackendKind; readonly infos: readonly ModelInfo[]};

/** The backend a user pinned a model to (`backend:` in models.yaml), looked up by any of its keys. */
export type PinLookup = (keys: readonly string[]) => BackendKind | undefined;

export const BACKEND_LABELS: Readonly<Record<BackendKind, string>> = {embedded: 'the embedded engine', lmstudio: 'LM Studio', openai: 'an OpenAI-compatible host'};

const slashes = (text: string) => text.replace(/\\/g, '/');
const LOCAL_HOST = 'local';
const hostOfInfo = (info: {readonly host?: string}) => info.host ?? LOCAL_HOST;
/** A model's name as hosts spell it: any case, with or without a folder or `.gguf`. */
const nameId = (key: string) => (slashes(key).split('/').pop() ?? '').replace(/\.gguf$/i, '').toLowerCase();
const baseName = (text: string) => (slashes(text).split('/').pop() ?? '').toLowerCase();

/**
 * Whether `remote` (LM Studio: a path relative to its models folder) is the file `onDisk` (an
 * absolute path): the path ends the same, or (LM Studio's folder is elsewhere, a copy) the file
 * name and the size are the same.
 */
export function sameFile(onDisk: ModelInfo, remote: ModelInfo): boolean {
  const local = slashes(onDisk.path ?? '');
  const relative = slashes(remote.path ?? '').replace(/^\/+/, '');
  if (!local || !relative) return false;
  if (local === relative || local.endsWith(`/${relative}`)) return true;
  return baseName(local) === baseName(relative) && remote.sizeBytes > 0 && remote.sizeBytes === onDisk.sizeBytes;
}

type Draft = {readonly key: string; readonly sources: ModelSource[]; readonly infos: Map<string, ModelInfo>};

/** Files on disk first: a model's key is its file name whether LM Studio runs or not. */
function diskFirst(a: BackendListing, b: BackendListing): number {
  return (a.kind === 'embedded' ? 0 : 1) - (b.kind === 'embedded' ? 0 : 1);
}

export function mergeListings(listings: readonly BackendListing[], pinFor: PinLookup = () => undefined): ModelInfo[] {
  const drafts: Draft[] = [];
  for (const listing of [...listings].sort(diskFirst)) {
    for (const info of listing.infos) {
      const host = hostOfInfo(info);
      const source: ModelSource = {
        backendId: listing.backendId,
        kind: listing.kind,
        key: info.backendKey ?? info.key,
        ...(host === LOCAL_HOST ? {} : {host}),
      };
      const match =
        listing.kind === 'embedded'
          ? undefined
          : drafts.find((draft) => {
              if (draft.infos.has(listing.backendId)) return false;
              const disk = draft.sources.find((candidate) => candidate.kind === 'embedded');
              const diskInfo = disk && draft.infos.get(disk.backendId);
              if (diskInfo !== undefined && sameFile(diskInfo, info)) return true;
              // Another host's model of the same name (hosts without files to compare).
              const name = nameId(info.key);
              return draft.sources.some((other) => hostOfInfo(other) !== host && (nameId(other.key) === name || nameId(draft.key) === name));
            });
      if (match) {
        match.sources.push(source);
        match.infos.set(listing.backendId, info);
      } else {
        drafts.push({key: info.key, sources: [source], infos: new Map([[listing.backendId, info]])});
      }
    }
  }
  const seen = new Set<string>();
  return drafts.map((draft) => {
    // Two different models with one key (a file name and an LM Studio key): the later is renamed.
    const key = seen.has(draft.key) ? `${draft.key}@${draft.sources[0]?.backendId}` : draft.key;
    seen.add(key);
    return resolve(draft, key, pinFor);
  });
}

/**
 * The merged entry: what the file says, run by the pinned backend, else on this machine (LM
 * Studio, else embedded), else on the first host listed.
 */
function resolve(draft: Draft, key: string, pinFor: PinLookup): ModelInfo {
  const pin = pinFor([...new Set([key, ...draft.sources.map((source) => source.key)])]);
  const rank = (source: ModelSource) => (source.kind === pin ? 0 : hostOfInfo(source) !== LOCAL_HOST ? 3 : source.kind === 'lmstudio' ? 1 : 2);
  const sources = [...draft.sources].sort((a, b) => rank(a) - rank(b));
  const active = sources[0] as ModelSource;
  const activeInfo = draft.infos.get(active.backendId) as ModelInfo;
  const disk = sources.find((source) => source.kind === 'embedded');
  const remote = sources.find((source) => source.kind !== 'embedded');
  const diskInfo = disk && draft.infos.get(disk.backendId);
  const remoteInfo = remote && draft.infos.get(remote.backendId);
  // The header read from disk knows the shape (for the memory estimate), demo marks and tiers.
  const base = diskInfo ?? activeInfo;
  const {backendKey: _backendKey, unusable: _unusable, loadedBy: _loadedBy, host: _host, ...rest} = base;
  const unusable =
    pin && !sources.some((source) => source.kind === pin)
      ? `pinned to ${BACKEND_LABELS[pin]} (backend: ${pin} in models.yaml), which does not offer it now`
      : activeInfo.unusable;
  const params = base.params ?? remoteInfo?.params;
  const quant = base.quant ?? remoteInfo?.quant;
  const arch = base.arch ?? remoteInfo?.arch;
  return {
    ...rest,
    key,
    backendId: active.backendId,
    ...(active.host === undefined ? {} : {host: active.host}),
    ...(active.key === key ? {} : {backendKey: active.key}),
    contextLength: base.contextLength || activeInfo.contextLength,
    ...(params === undefined ? {} : {params}),
    ...(quant === undefined ? {} : {quant}),
    ...(arch === undefined ? {} : {arch}),
    ...(remoteInfo?.loadedBy ? {loadedBy: remoteInfo.loadedBy} : {}),
    ...(unusable ? {unusable} : {}),
    sources,
  };
}
