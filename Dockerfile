# The stoke worker for docker-compose.yml: it reaches Temporal over the network and the Docker engine
# through the socket mounted by the compose file. NODE_IMAGE is another Node 20 base where Docker Hub is
# unreachable (docker-compose.override-local.yml builds on stoke's stand-in).
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}
WORKDIR /opt/stoke
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY examples ./examples
# npm can exit 0 from a failed install ("Exit handler never called"): the build checks the CLI was compiled.
RUN npm ci --no-audit --no-fund && test -e dist/src/cli/cli.js && npm prune --omit=dev
# Fewer glibc malloc arenas: a worker's many threads otherwise each keep memory they freed (about 30 MB at 100 stacks).
ENV MALLOC_ARENA_MAX=2
# The signal gateway, where servers signal wait condition handles.
EXPOSE 8000
ENTRYPOINT ["node", "bin/stoke.js"]
CMD ["worker"]
