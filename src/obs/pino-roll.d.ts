declare module 'pino-roll' {
  const build: (options: Record<string, unknown>) => Promise<NodeJS.WritableStream>;
  export default build;
}
