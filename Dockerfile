# syntax=docker/dockerfile:1
# One image for every process; the command picks it:
#   node dist/command-service.js | dist/query-service.js | dist/projection-service.js | dist/embedded.js
# Node 22, an LTS line still patched (20 reached its end of life in April 2026). The code
# runs on 20.19 or newer; CI here runs 20, so that floor stays tested.
ARG NODE_IMAGE=node:22-bookworm-slim

# better-sqlite3 compiles from source when no prebuilt binary matches, so
# every stage that installs dependencies has the toolchain; the runtime does not.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Manifests first: the dependency layers stay cached until they change.
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY platform/package.json platform/
COPY command-service/package.json command-service/
COPY projection-service/package.json projection-service/
COPY query-service/package.json query-service/
COPY embedded/package.json embedded/

FROM toolchain AS build
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build

FROM toolchain AS production-dependencies
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev \
 # Workspace code is inside the bundles; these links would point at sources the runtime does not have.
 && rm -rf node_modules/@otp

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/otp-auth
WORKDIR /app
# "type": "module" in package.json is what makes Node load the bundles as ESM.
COPY package.json ./
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/dist dist
# Owned by the runtime user so a named volume mounted here starts writable (signing key, embedded
# data), and closed to everyone else: the event log holds emails and client IPs.
RUN install -d -m 0700 -o node -g node /var/lib/otp-auth
USER node
EXPOSE 3000 3001 3002 3003
# The slim image has no curl; Node's fetch does the same job.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/embedded.js"]
