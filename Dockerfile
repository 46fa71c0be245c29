# syntax=docker/dockerfile:1
# layer-audit as a container image (docs/ci.md):
#   docker build -t layer-audit .
#   docker run --rm -v "$PWD:/work" layer-audit compare fn.tar --function-config get-function.json --layer layer.zip
# The final stage holds what `npm pack` ships plus the lockfile's production dependencies: no compiler, no
# test tools, no sources. Pin it by digest in CI.

FROM node:20-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: prepare would build before the sources are here; the build is the RUN below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json README.md LICENSE ./
COPY bin ./bin
COPY src ./src
COPY docs ./docs
RUN npm run build
# The package as npm would publish it, unpacked into /app, with the lockfile's production dependencies.
RUN npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir /app \
 && tar -xzf /tmp/layer-audit-*.tgz -C /app --strip-components=1 \
 && cp package-lock.json /app/ \
 && cd /app \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node bin/run.js --version

FROM node:20-slim
LABEL org.opencontainers.image.title="layer-audit" \
      org.opencontainers.image.description="Audit a container image before it runs as an AWS Lambda function" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# The download cache, writable whatever --user the container runs as (an unknown uid gets HOME=/).
ENV XDG_CACHE_HOME=/tmp/.cache
COPY --from=build /app /opt/layer-audit
RUN ln -s /opt/layer-audit/bin/run.js /usr/local/bin/layer-audit
# The base image's unprivileged user (uid 1000). Reports written to a mounted /work belong to it: run
# with --user "$(id -u):$(id -g)" to have them owned by you.
USER node
WORKDIR /work
ENTRYPOINT ["layer-audit"]
CMD ["--help"]
