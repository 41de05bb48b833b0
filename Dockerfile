# Inkboard image: one image for the server and the CPU worker (node:20-slim, tfjs-node when it installs,
# wasm otherwise). Build: docker build -t inkboard .   The GPU worker has its own target, `gpu`.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Optional dependencies: tfjs-node (CPU) downloads libtensorflow at install; tfjs-node-gpu is left to the gpu target.
RUN npm ci --no-audit --no-fund && (npm uninstall --no-save @tensorflow/tfjs-node-gpu || true)

FROM deps AS build
COPY . .
RUN npm run build:client

FROM node:20-slim AS app
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY --from=build /app /app
# Runs as the unprivileged `node` user of the base image.
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The client is built into the image, so the server starts without rebuilding it (`npm start` would).
CMD ["node", "--import", "tsx", "server/main.ts"]

# GPU worker: CUDA 11.2 + cuDNN 8 (what tfjs-node-gpu 4.x links against) with Node 20 copied in.
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 AS gpu
COPY --from=node:20-slim /usr/local /usr/local
WORKDIR /app
ENV NODE_ENV=production INKBOARD_BACKEND=node-gpu
COPY --from=build /app /app
RUN npm install --no-save --no-audit --no-fund @tensorflow/tfjs-node-gpu@^4.22.0
CMD ["node", "--import", "tsx", "workers/main.ts"]
