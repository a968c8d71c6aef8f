#!/usr/bin/env node
// The `ecs-rollback` command: runs the CLI built into dist/. This file is committed, so a workspace
// install links the command before anything is built (no "Failed to create bin" warning).
import '../dist/cli.js';
