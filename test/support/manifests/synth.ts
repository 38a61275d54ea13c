/**
 * Helpers that synthesize a cdk8s app or chart into plain objects, and load synthesized
 * manifest files back.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';

/** A cdk8s app whose `synth()` writes to a fresh temporary directory. */
export function temporaryApp(): App {
  return Testing.app({ outdir: mkdtempSync(join(tmpdir(), 'manifests-valid.')) });
}

/**
 * Synthesizes an app exactly as `cdk8s synth` does (validations, dependency order, one
 * file per chart) into its output directory and returns each file's text by name.
 * Give it an app from {@link temporaryApp} so nothing is written into the project.
 */
export function synthAppFiles(app: App): Map<string, string> {
  app.synth();
  const files = readdirSync(app.outdir).filter(file => file.endsWith(app.outputFileExtension)).sort();
  return new Map(files.map(file => [file, readFileSync(join(app.outdir, file), 'utf8')]));
}

/** Synthesizes an app (see {@link synthAppFiles}) and returns every object of every chart. */
export function synthAppObjects(app: App): any[] {
  synthAppFiles(app);
  return loadManifestDirectory(app.outdir, app.outputFileExtension);
}

/** Synthesizes one chart into plain objects (cdk8s `Testing.synth`). */
export function synthChartObjects(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** Every object of a multi-document YAML file, empty documents left out. */
export function loadManifestFile(file: string): any[] {
  return Yaml.load(file);
}

/** Every object of every `*<extension>` YAML file of a directory, in file name order. */
export function loadManifestDirectory(directory: string, extension = '.k8s.yaml'): any[] {
  return readdirSync(directory).filter(file => file.endsWith(extension)).sort()
    .flatMap(file => loadManifestFile(join(directory, file)));
}
