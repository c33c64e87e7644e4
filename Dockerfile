# Multi-stage build of the licencegraph binary; the final image holds only
# the static binary and the curated seed data, and runs as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=docker
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
    -o /out/licencegraph ./cmd/licencegraph

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/licencegraph /licencegraph
COPY seed /seed
USER nonroot:nonroot
EXPOSE 8080
ENV LISTEN_ADDR=:8080
ENTRYPOINT ["/licencegraph"]
CMD ["serve"]
