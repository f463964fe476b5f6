# Airlock's own processes (workers, HTTP API) for the docker-compose topology. The sandbox image is separate:
# sandbox/image/Dockerfile.
FROM node:20-bookworm-slim
WORKDIR /opt/airlock
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY dist ./dist
COPY airlock.policy.yaml ./
ENV NODE_ENV=production
ENTRYPOINT ["node"]
CMD ["dist/workers/main.js", "--role", "all"]
