import { runPost } from './post.ts';

process.exitCode = await runPost();
