import { describe, expect, it } from 'vitest';
import { cloneTaskDefinition } from './clone.ts';

describe('cloneTaskDefinition', () => {
  it('keeps what RegisterTaskDefinition accepts, swaps images, drops read-only fields and aws: tags', () => {
    const input = cloneTaskDefinition(
      {
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/web:7',
        family: 'web',
        revision: 7,
        status: 'ACTIVE',
        registeredAt: new Date(),
        registeredBy: 'arn:aws:iam::1:user/ci',
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.ecr-auth' }],
        compatibilities: ['EC2', 'FARGATE'],
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        volumes: [],
        runtimePlatform: { cpuArchitecture: 'ARM64' },
        containerDefinitions: [
          { name: 'web', image: 'repo/web:v7', secrets: [{ name: 'DB', valueFrom: 'arn:secret' }] },
          { name: 'envoy', image: 'envoy:v1' },
        ],
      },
      [
        { key: 'team', value: 'shop' },
        { key: 'aws:cloudformation:stack-name', value: 'x' },
      ],
      { web: 'repo/web:v6' },
    );
    expect(input).toEqual({
      family: 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      runtimePlatform: { cpuArchitecture: 'ARM64' },
      containerDefinitions: [
        { name: 'web', image: 'repo/web:v6', secrets: [{ name: 'DB', valueFrom: 'arn:secret' }] },
        { name: 'envoy', image: 'envoy:v1' },
      ],
      tags: [{ key: 'team', value: 'shop' }],
    });
  });
});
