// Every `vigil` command, one file each. Add new commands here.
import type { Command } from '../command.js';
import { serveCommand } from './serve.js';
import { tsdbCommands } from './tsdb.js';
import { importOpenMetricsCommand } from './import.js';
import { anomalyCommands } from './anomaly.js';
import { checkConfigCommand } from './check-config.js';
import { alertmanagerCommand, checkAlertmanagerCommand } from './alertmanager.js';
import { rulesCommands } from './rules.js';

export const commands: Command[] = [serveCommand, ...tsdbCommands, importOpenMetricsCommand, checkConfigCommand, ...anomalyCommands, alertmanagerCommand, checkAlertmanagerCommand, ...rulesCommands];
