export { freshProject, npmCacheDir, directoryBytes, type FreshProject, type FreshProjectOptions } from "./fresh-project";
export { packAll, readPackedSet, cleanEnv, PACK_CHECK_TMP, type PackAllOptions, type PackedPackage, type PackedSet } from "./pack-all";
export { mustRun, runCommand, type CommandResult, type RunCommandOptions } from "./run-command";
export { entrySpecifiers, publicPackages, WORKSPACE_ROOT, type PackageManifest, type PublicPackage } from "./workspace";
export { libraryConsumer, typesNodeVersion } from "./library-consumer";
export { readmeSnippet, runnableSnippet, type DocumentedValue, type ReadmeSnippet } from "./readme-example";
