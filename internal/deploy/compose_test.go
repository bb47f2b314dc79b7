package deploy

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func loadCompose(t *testing.T, profiles ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"},
		cli.WithName("augment"), cli.WithWorkingDirectory("../.."), cli.WithProfiles(profiles))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("service %s: %v", name, err)
	}
	return s
}

func TestCompose(t *testing.T) {
	p := loadCompose(t)
	api, worker, redis := service(t, p, "api"), service(t, p, "worker"), service(t, p, "redis")

	if len(api.Ports) != 1 || api.Ports[0].HostIP != "127.0.0.1" || api.Ports[0].Published != "8000" || api.Ports[0].Target != 8000 {
		t.Errorf("api ports = %+v, want 127.0.0.1:8000:8000", api.Ports)
	}
	for _, s := range []types.ServiceConfig{api, worker} {
		for _, dep := range []string{"redis", "postgres"} {
			if d, ok := s.DependsOn[dep]; !ok || d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s does not wait for %s to be healthy: %+v", s.Name, dep, s.DependsOn)
			}
		}
		if !slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
			return v.Source == "augment-data" && v.Target == "/data"
		}) {
			t.Errorf("%s does not mount the shared data volume at /data: %+v", s.Name, s.Volumes)
		}
		if s.Build == nil || !strings.HasPrefix(s.Build.Dockerfile, "Dockerfile.") {
			t.Errorf("%s is not built from its Dockerfile: %+v", s.Name, s.Build)
		}
		if s.Environment["REDIS_URL"] == nil || s.Environment["DATABASE_URL"] == nil {
			t.Errorf("%s lacks REDIS_URL or DATABASE_URL", s.Name)
		}
	}
	if worker.ContainerName != "" || len(worker.Ports) != 0 {
		t.Errorf("worker has a container name or published ports, so it cannot be scaled: %q %+v", worker.ContainerName, worker.Ports)
	}
	if !slices.Contains(redis.Command, "--appendonly") || !slices.Contains(redis.Command, "yes") || len(redis.Volumes) == 0 {
		t.Errorf("redis does not persist to a volume: %v %+v", redis.Command, redis.Volumes)
	}
	for _, name := range []string{"redis", "postgres"} {
		if service(t, p, name).HealthCheck == nil {
			t.Errorf("%s has no healthcheck", name)
		}
	}
	if _, err := p.GetService("minio"); err == nil {
		t.Error("minio runs without the s3 profile")
	}
	if m := service(t, loadCompose(t, "s3"), "minio"); m.HealthCheck == nil {
		t.Error("minio has no healthcheck")
	}
}

// stages reads a Dockerfile's instructions, stage by stage.
func stages(t *testing.T, name string) [][]string {
	t.Helper()
	b, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "FROM ") {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], line)
		}
	}
	return out
}

func has(lines []string, prefix, contains string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) && strings.Contains(l, contains) })
}

func TestDockerfiles(t *testing.T) {
	for name, want := range map[string]struct{ base, env string }{
		"Dockerfile.api":    {"gcr.io/distroless/static-debian12", ""},
		"Dockerfile.worker": {"debian:bookworm-slim", "MALLOC_ARENA_MAX=2 VIPS_BLOCK_UNTRUSTED=1"},
	} {
		t.Run(name, func(t *testing.T) {
			st := stages(t, name)
			if len(st) < 2 {
				t.Fatalf("%d stages, want a build stage and a runtime stage", len(st))
			}
			final := st[len(st)-1]
			if !strings.Contains(final[0], want.base) {
				t.Errorf("runtime base %q, want %s", final[0], want.base)
			}
			if !has(final, "USER ", "nonroot") && !has(final, "USER ", "65532") {
				t.Error("the runtime stage does not run as a non-root user")
			}
			if !has(final, "HEALTHCHECK ", "healthcheck") {
				t.Error("no HEALTHCHECK")
			}
			if want.env != "" && !has(final, "ENV ", want.env) {
				t.Errorf("runtime lacks ENV %s", want.env)
			}
			if name == "Dockerfile.api" && (!has(st[0], "ENV ", "CGO_ENABLED=0") || !has(st[0], "RUN ", "h2non/bimg")) {
				t.Error("the api is not built with CGO_ENABLED=0 and checked free of libvips")
			}
			if name == "Dockerfile.worker" && (!has(st[0], "RUN ", "libvips-dev") || !has(final, "RUN ", "libvips42")) {
				t.Error("the worker does not build against libvips-dev and run on the libvips runtime")
			}
		})
	}
}
