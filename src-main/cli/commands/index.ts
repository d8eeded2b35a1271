import type { Command } from '../command';
import { augmentCommand } from './augment';
import { benchCommand } from './bench';
import { datasetsCommand } from './datasets';
import { doctorCommand } from './doctor';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { importCommand } from './import';
import { neighboursCommand } from './neighbours';
import { projectCommand } from './project';
import { reportCommand } from './report';
import { runsCommand } from './runs';
import { serveCommand } from './serve';
import { trainCommand } from './train';

/** Every CLI command, in the order `pretext --help` lists them. */
export const commands: Command[] = [
  doctorCommand,
  importCommand,
  datasetsCommand,
  augmentCommand,
  trainCommand,
  runsCommand,
  evalCommand,
  projectCommand,
  neighboursCommand,
  exportCommand,
  reportCommand,
  benchCommand,
  serveCommand,
];
