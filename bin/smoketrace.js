#!/usr/bin/env node
// The `smoketrace` command. The sources are TypeScript run through tsx's loader,
// so an installed checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
