// Package deploy holds no code: its tests check the deployment files at the
// top of the repository (docker-compose.yml, Dockerfile.api,
// Dockerfile.worker) with the real Compose parser.
package deploy
