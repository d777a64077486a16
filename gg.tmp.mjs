const r0 = process.memoryUsage().rss;
const t = performance.now();
const {readGgufFileInfo} = await import('node-llama-cpp');
const info = await readGgufFileInfo(process.argv[2], {logWarnings: false, ignoreKeys: ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges']});
globalThis.gc?.();
console.log('rss +', ((process.memoryUsage().rss - r0)/1e6).toFixed(1), 'MB', (performance.now()-t).toFixed(0), 'ms');
console.log(JSON.stringify({...info, metadata: undefined, tensorInfo: info.tensorInfo?.slice(0,2), fullTensorInfo: undefined}, (k,v)=> typeof v === 'bigint' ? `${v}n` : v).slice(0,800));
console.log(Object.keys(info.metadata), JSON.stringify(info.metadata.general), info.fullTensorInfo?.length, info.tensorInfo?.length);
