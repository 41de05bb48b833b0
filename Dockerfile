# Inkboard image: one image for the server and the CPU worker (node:20-slim; inference on onnxruntime-node,
# whose CPU binaries ship inside its npm package). Build: docker build -t inkboard .
# The GPU worker has its own target, `gpu`, on this CUDA 12 + cuDNN 9 runtime image:
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# .npmrc sets onnxruntime-node-install=skip: no CUDA download for CPU images.
RUN npm ci --no-audit --no-fund

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

# GPU worker: onnxruntime-node's CUDA execution provider, built for CUDA 12 and cuDNN 9, on NVIDIA's CUDA 12
# runtime image with cuDNN 9, Node 20 copied in. The provider libraries are not in the npm package: rebuilding
# onnxruntime-node with onnxruntime-node-install=cuda12 (overriding the .npmrc skip) downloads them.
FROM ${CUDA_IMAGE} AS gpu
COPY --from=node:20-slim /usr/local /usr/local
WORKDIR /app
ARG ONNXRUNTIME_NODE_INSTALL=cuda12
ENV NODE_ENV=production INKBOARD_BACKEND=onnx-cuda
COPY --from=build /app /app
RUN ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL} \
  npm rebuild onnxruntime-node --onnxruntime-node-install=${ONNXRUNTIME_NODE_INSTALL} \
  && ls node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so
CMD ["node", "--import", "tsx", "workers/main.ts"]
