import { optionalPlainObject, requireArray, requireBoolean, requireDnsSubdomain, requireImageReference, requireString } from './validate';

/**
 * Where the images come from: one registry or mirror in front of every image the
 * library names (the database and its tools, the provisioner, whatever is added
 * later), and the Secrets to pull them with. For clusters that pull only from their own
 * registry, e.g. a Harbor project the images were pushed to, or a pull-through cache.
 */
export interface ImageSourceOptions {
  /**
   * Registry host and path put in front of every image, in place of the image's own
   * registry: with `harbor.example.com/mirror`, `nginx:1.27.3` is pulled as
   * `harbor.example.com/mirror/nginx:1.27.3`, `bitnami/redis:7.2` as
   * `harbor.example.com/mirror/bitnami/redis:7.2`, and
   * `registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2` as
   * `harbor.example.com/mirror/sig-storage/nfs-subdir-external-provisioner:v4.0.2`. An
   * image that starts with it already is left as it is.
   * @default - every image from its own registry
   */
  readonly registry?: string;
  /**
   * Keep Docker Hub's `library/` namespace of official images (`nginx`, `redis`) under
   * the registry: `harbor.example.com/dockerhub/library/nginx:1.27.3`. Pull-through caches
   * of Docker Hub (a Harbor proxy-cache project, a `registry:2` mirror) need it; images
   * pushed by hand into a project (`docker tag nginx:1.27.3 harbor.example.com/web/nginx:1.27.3`)
   * do not.
   * @default false
   */
  readonly dockerHubLibraryNamespace?: boolean;
  /**
   * Names of the Secrets (type `kubernetes.io/dockerconfigjson`, in the workload's
   * namespace) that every pod pulls its images with: the pods' `imagePullSecrets`.
   * @default - none
   */
  readonly pullSecrets?: string[];
}

/** The checked image source: how to rewrite an image, and the pods' pull secrets. */
export class ImageSource {
  /** Checks `options` (`what` names them in errors). */
  public static of(what: string, options: ImageSourceOptions | undefined): ImageSource {
    optionalPlainObject(what, options);
    const registry = options?.registry === undefined ? undefined : requireString(`${what}.registry`, options.registry).replace(/\/+$/, '');
    if (registry !== undefined) {
      // A registry with a path must still make valid references: check one.
      requireImageReference(`${what}.registry`, `${registry}/x:1`);
      if (!/[.:]|^localhost(\/|$)/.test(registry.split('/')[0])) {
        throw new Error(`${what}.registry must start with a registry host (with a '.' or a port, or localhost), e.g. "harbor.example.com/mirror" (got ${JSON.stringify(options?.registry)})`);
      }
    }
    const library = requireBoolean(`${what}.dockerHubLibraryNamespace`, options?.dockerHubLibraryNamespace ?? false);
    const pullSecrets = requireArray(`${what}.pullSecrets`, options?.pullSecrets ?? [])
      .map((name, index) => requireDnsSubdomain(`${what}.pullSecrets[${index}]`, name));
    return new ImageSource(registry, library, [...pullSecrets]);
  }

  private constructor(private readonly registry: string | undefined, private readonly library: boolean, private readonly pullSecrets: string[]) {}

  /** The reference a pod pulls `image` by. */
  public image(image: string): string {
    if (this.registry === undefined || image.startsWith(`${this.registry}/`)) {
      return image;
    }
    const slash = image.indexOf('/');
    const first = slash < 0 ? '' : image.slice(0, slash);
    const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
    const path = hasRegistry ? image.slice(slash + 1) : image;
    const dockerHub = !hasRegistry || first === 'docker.io' || first === 'index.docker.io';
    const official = dockerHub && !path.includes('/');
    return `${this.registry}/${official && this.library ? 'library/' : ''}${path}`;
  }

  /** The pod spec's `imagePullSecrets`, or nothing. */
  public get imagePullSecrets(): Array<{ name: string }> | undefined {
    return this.pullSecrets.length > 0 ? this.pullSecrets.map(name => ({ name })) : undefined;
  }
}
